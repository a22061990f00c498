"""Create, list and revoke personal access keys: `manage.py api_key create alice --name crm`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api import selectors, services
from api.models import ApiKey


class Command(BaseCommand):
    help = "Create, list or revoke a user's personal access keys for the REST API."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key (printed once; only its hash is stored).")
        create.add_argument("username")
        create.add_argument("--name", default="api", help="What the key is for (shown in lists).")
        listing = sub.add_parser("list", help="List a user's keys.")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix (azk_…).")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options):
        if action == "revoke":
            keys = ApiKey.objects.filter(prefix=options["prefix"], revoked_at__isnull=True)
            if keys.count() != 1:
                raise CommandError(f"No single active key with prefix {options['prefix']!r}.")
            services.api_key_revoke(key=keys.get())
            self.stdout.write(f"Revoked {options['prefix']}.")
            return
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if action == "create":
            key, raw = services.api_key_create(user=user, name=options["name"])
            self.stderr.write(f"Key {key.prefix}… for {user.username}; it is shown only now:")
            self.stdout.write(raw)
            return
        for key in selectors.api_key_list_for_user(user):
            state = "revoked" if key.revoked_at else f"last used {key.last_used_at or 'never'}"
            self.stdout.write(f"{key.prefix}  {key.name}  created {key.created_at:%Y-%m-%d}  {state}")
