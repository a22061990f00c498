"""Create the demo team (four reps, a manager, an admin), print their logins, and give the reps
a quarter of analysed meetings and deals (AIZUCHI_DEMO_HISTORY=0 leaves that out)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import Profile, Team
from accounts.services import user_create_or_reset
from demo.history import REPS
from demo.services import WEEKS, demo_history_seed


class Command(BaseCommand):
    help = "Create demo users (new random passwords on every run), print how to sign in, seed their history."

    def handle(self, *args, **options):
        team, _ = Team.objects.get_or_create(name="Demo team")
        people = [(s.username, Profile.Role.REP, False, s.first_name, team) for s in REPS]
        people += [
            ("demo-manager", Profile.Role.MANAGER, False, "Tanaka (manager)", team),
            # Admins see every team; outside the team, the team view lists only its reps.
            ("demo-admin", Profile.Role.REP, True, "Admin", None),
        ]
        self.stdout.write("Demo logins (passwords are new on every start):")
        for username, role, is_staff, name, their_team in people:
            _, password = user_create_or_reset(
                username=username, team=their_team, role=role, is_staff=is_staff, first_name=name
            )
            self.stdout.write(f"  {username:14} {password}   {role}{' + admin' if is_staff else ''}")
        if not settings.AIZUCHI_DEMO_HISTORY:
            self.stdout.write("Demo history off (AIZUCHI_DEMO_HISTORY=0).")
            return
        report = demo_history_seed()
        if report.reps_seeded == 0:
            self.stdout.write("Demo history already there (kept as it is).")
            return
        self.stdout.write(
            f"Demo history: {report.meetings} meetings and {report.deals} deals "
            f"({report.won} won, {report.lost} lost) for {report.reps_seeded} reps "
            f"over the last {WEEKS + 1} weeks, analysed in {report.seconds:.1f} s."
        )
