"""Writes of the API app: personal access keys are created and revoked here only."""

import hashlib
import secrets

from django.utils import timezone

from api.models import ApiKey

KEY_PREFIX = "azk_"


def api_key_digest(raw: str) -> str:
    # The key has 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(*, user, name: str) -> tuple[ApiKey, str]:
    """A new key for the user; returns the row and the key itself, which is not stored."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(user=user, name=name.strip()[:100], prefix=raw[:12], digest=api_key_digest(raw))
    key.full_clean()
    key.save()
    return key, raw


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Revoked keys stay listed (when, by whom it was used) but authenticate nobody."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_touch(*, key: ApiKey) -> None:
    """Remember when a key was last used, at most once a minute (no write per request)."""
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
