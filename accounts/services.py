"""Users, teams and roles."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Profile, Team


def profile_ensure_for_new_user(sender, instance, created, **kwargs) -> None:
    """Every user has a profile (rep by default), however the user was made."""
    if created:
        Profile.objects.get_or_create(user=instance)


@transaction.atomic
def user_create_or_reset(
    *,
    username: str,
    team: Team | None,
    role: str = Profile.Role.REP,
    is_staff: bool = False,
    first_name: str = "",
) -> tuple[object, str]:
    """Create (or reset the password of) a user and return it with a fresh random password."""
    password = secrets.token_urlsafe(9)
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.first_name = first_name or user.first_name
    user.is_staff = is_staff
    user.is_superuser = is_staff
    user.set_password(password)
    user.save()
    Profile.objects.update_or_create(user=user, defaults={"team": team, "role": role})
    return user, password
