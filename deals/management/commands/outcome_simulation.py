"""Plant a known effect of one behaviour on winning, with rep skill confounding it, and run the
evidence page's own analysis on the generated deals (deals.simulation.run).

    manage.py outcome_simulation --deals 60 --effect 0.3 --seed 1 --json
"""

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from deals.simulation import EFFECT_RANGE, run


class Command(BaseCommand):
    help = "Check the deal evidence statistics on generated deals with a planted, confounded effect."

    def add_arguments(self, parser):
        parser.add_argument("--deals", type=int, default=60)
        parser.add_argument("--effect", type=float, default=0.3, help="difference in win probability")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, deals, effect, seed, json: bool = False, **options):
        if deals < 1:
            raise CommandError("--deals must be at least 1")
        if not EFFECT_RANGE[0] <= effect <= EFFECT_RANGE[1]:
            raise CommandError(f"--effect must be within {EFFECT_RANGE[0]} and {EFFECT_RANGE[1]}")
        result = run(n_deals=deals, effect=effect, seed=seed)
        if json:
            self.stdout.write(_dumps(result))
            return
        if result["estimate"] is None:
            self.stdout.write(f"Not enough data: {result['n_deals']} deals usable within rep.")
            return
        naive = result["naive"]
        self.stdout.write(
            f"planted {effect:+.2f}; within rep {result['estimate']:+.3f} "
            f"[{result['low']:+.3f}, {result['high']:+.3f}] on {result['n_deals']} deals; "
            f"naive across reps {naive['estimate']:+.3f}"  # type: ignore[index]
        )


def _dumps(result: dict) -> str:
    return jsonlib.dumps(result)
