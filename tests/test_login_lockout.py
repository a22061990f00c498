"""Login throttling (django-axes): 20 wrong passwords for one account lock its sign-in for a
while, with a sentence in the reader's language; the right password is refused while locked,
works again after the cool-off, and other accounts are not affected."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.coaching_pages import FAST_HASHERS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def sign_in(client, username: str, password: str, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_twenty_times(client, username: str) -> None:
    for attempt in range(20):
        response = sign_in(client, username, f"wrong-{attempt}")
        assert not signed_in(client)
    assert response.status_code == 429  # the 20th is the one that locks


def test_given_nineteen_wrong_passwords_then_the_right_one_still_signs_in(client, alice):
    for attempt in range(19):
        assert sign_in(client, "alice", f"wrong-{attempt}").status_code == 200
    response = sign_in(client, "alice", "pw-alice")
    assert response.status_code == 302 and signed_in(client)


def test_given_twenty_wrong_passwords_then_the_right_one_is_refused_with_a_clear_message(client, alice):
    fail_twenty_times(client, "alice")
    response = sign_in(client, "alice", "pw-alice")
    assert response.status_code == 429
    assert not signed_in(client)
    text = response.content.decode()
    assert "Too many wrong passwords for this account" in text and "15 minutes" in text
    assert 'name="username"' in text  # the form is shown again


def test_given_a_locked_account_then_a_japanese_reader_is_told_in_japanese(client, alice):
    fail_twenty_times(client, "alice")
    response = sign_in(client, "alice", "pw-alice", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 429
    assert "パスワードの誤りが多すぎる" in response.content.decode()


def test_given_a_locked_account_then_other_accounts_still_sign_in(client, alice, bob):
    fail_twenty_times(client, "alice")
    response = sign_in(client, "bob", "pw-bob")
    assert response.status_code == 302 and signed_in(client)


def test_given_the_cool_off_has_passed_then_the_right_password_signs_in_again(client, alice):
    fail_twenty_times(client, "alice")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = sign_in(client, "alice", "pw-alice")
    assert response.status_code == 302 and signed_in(client)
