"""Precision, recall and F1 of the active rules on labelled meetings (shared/eval/FORMAT.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from coaching.engine import find_moments
from coaching.engine.rules import RuleError, load_pack
from coaching.engine.scoring import labels_from_moments, load_labelled, score
from coaching.engine.types import BEHAVIOURS


class Command(BaseCommand):
    help = "Evaluate behaviour rules on a labelled JSONL file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print only {language: {behaviour: scores}}")
        parser.add_argument(
            "--predictions", help="write the meetings with detected labels to this JSONL file"
        )
        parser.add_argument("--pack", help="use this rule-pack file instead of the active rules")

    def handle(self, *args, **opts):
        try:
            meetings = load_labelled(opts["file"])
            rules = list(load_pack(opts["pack"]).rules) if opts["pack"] else _active_rules()
        except (OSError, ValueError, KeyError, RuleError) as exc:
            raise CommandError(str(exc)) from None
        predictions = {
            m.id: labels_from_moments(find_moments(m.turns, rules, language=m.language)) for m in meetings
        }
        report, diffs = score(meetings, predictions)
        if opts["predictions"]:
            with open(opts["predictions"], "w", encoding="utf-8") as fh:
                for m in meetings:
                    fh.write(json.dumps({**m.raw, "labels": predictions[m.id]}, ensure_ascii=False) + "\n")
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        for lang, behaviours in report.items():
            self.stdout.write(f"[{lang}]")
            for b in BEHAVIOURS:
                if b in behaviours:
                    s = behaviours[b]
                    self.stdout.write(
                        f"  {b:28} P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f} n={s['support']}"
                    )
        if diffs:
            self.stdout.write("\nDifferences (expected vs got):")
        for d in diffs:
            kind = "MISS" if d.got < d.expected else "FALSE HIT"
            self.stdout.write(
                f"  {kind:9} {d.meeting} turn {d.turn} {d.behaviour}: expected {d.expected}, got {d.got} | {d.text}"
            )


def _active_rules():
    from coaching.engine import active_rules

    return active_rules()
