"""Install (or update to) a rule pack: behaviours and rules; rules edited by hand are kept."""

from django.core.management.base import BaseCommand, CommandError

from coaching.engine.rules import DEFAULT_PACK, RuleError, load_pack
from coaching.services import rule_pack_install


class Command(BaseCommand):
    help = "Load a versioned rule pack (default: coaching/rulepacks/default.yaml)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PACK))
        parser.add_argument("--name", default="default")

    def handle(self, *args, **opts):
        try:
            pack = load_pack(opts["path"])
        except (RuleError, OSError) as exc:
            raise CommandError(str(exc)) from None
        n = rule_pack_install(pack=pack, name=opts["name"])
        self.stdout.write(f"Installed {n} rules from {opts['name']} pack version {pack.version}.")
