"""Install (or update to) a rule pack: behaviours and rules; rules edited by hand are kept.

The pack goes into the draft and, when that changes the rules, is published as a new version
(every stored meeting is then rescored by the worker)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from aizuchi.terminal import terminal_language
from coaching.engine.rules import DEFAULT_PACK, RuleError
from coaching.services import rule_pack_install


class Command(BaseCommand):
    help = "Load a versioned rule pack (default: coaching/rulepacks/default.yaml)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PACK))
        parser.add_argument("--name", default="default")

    def handle(self, *args, **opts):
        from coaching.workbench.services import pack_read_file, ruleset_publish_if_changed

        # Checked like a pack imported in the workbench; nothing is installed unless all of it is good.
        with translation.override(terminal_language()):
            try:
                pack = pack_read_file(opts["path"])
            except RuleError as exc:
                raise CommandError(f"{opts['path']}: {exc}") from None
            except OSError as exc:
                raise CommandError(
                    _("%(path)s cannot be read: %(reason)s") % {"path": opts["path"], "reason": exc.strerror}
                ) from None

        n = rule_pack_install(pack=pack, name=opts["name"])
        version = ruleset_publish_if_changed(
            actor=None,
            comment=f"load_rule_pack {opts['name']}@{pack.version}",
            source=f"{opts['name']}@{pack.version}",
        )
        published = f"; published as rules version {version.number}" if version else "; rules unchanged"
        self.stdout.write(f"Installed {n} rules from {opts['name']} pack version {pack.version}{published}.")
