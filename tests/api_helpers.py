"""Shared by the API tests: a key per persona and a client that sends it."""

import pytest
from rest_framework.test import APIClient

from api.services import api_key_create


def key_header(user) -> str:
    """The Authorization header of a new personal access key for the user."""
    _key, raw = api_key_create(user=user, name="test")
    return f"Bearer {raw}"


def key_client(user) -> APIClient:
    """An API client authenticated the way integrations are: a personal access key."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=key_header(user))
    return client


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
