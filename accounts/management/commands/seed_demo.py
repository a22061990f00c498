"""Create a demo team with a rep, a second rep, a manager and an admin, and print their logins."""

from django.core.management.base import BaseCommand

from accounts.models import Profile, Team
from accounts.services import user_create_or_reset


class Command(BaseCommand):
    help = "Create demo users (new random passwords on every run) and print how to sign in."

    def handle(self, *args, **options):
        team, _ = Team.objects.get_or_create(name="Demo team")
        people = [
            ("demo-rep", Profile.Role.REP, False, "Sato (rep)"),
            ("demo-rep2", Profile.Role.REP, False, "Suzuki (rep)"),
            ("demo-manager", Profile.Role.MANAGER, False, "Tanaka (manager)"),
            ("demo-admin", Profile.Role.REP, True, "Admin"),
        ]
        self.stdout.write("Demo logins (passwords are new on every start):")
        for username, role, is_staff, name in people:
            _, password = user_create_or_reset(
                username=username, team=team, role=role, is_staff=is_staff, first_name=name
            )
            self.stdout.write(f"  {username:14} {password}   {role}{' + admin' if is_staff else ''}")
