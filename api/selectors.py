"""Reads of the API app."""

from django.db.models import QuerySet

from api.models import ApiKey
from api.services import KEY_PREFIX, api_key_digest


def api_key_list_for_user(user) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(user=user)


def api_key_find(raw: str) -> ApiKey | None:
    """The active key with this value, or None (unknown, revoked, or its user deactivated)."""
    if not raw.startswith(KEY_PREFIX):
        return None
    return (
        ApiKey.objects.select_related("user", "user__profile")
        .filter(digest=api_key_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
