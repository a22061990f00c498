"""A failure is stored as a code and params and read in the reader's language: the owner reads
it in English while their manager reads the same meeting in Japanese, on the page, in the list
and through the API. Rows stored before, with only a sentence, still read."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from meetings import services
from meetings.models import Meeting
from tests.api_helpers import key_client

pytestmark = pytest.mark.django_db

EN_TOO_LONG = "This recording is 5 hours long, but recordings can be at most 4 hours."
JA_TOO_LONG = "この録音の長さは 5 時間 ですが、録音の上限は 4 時間 です。"


def speaks(user, language: str) -> None:
    user.profile.language = language
    user.profile.save()


@pytest.fixture
def failed(alice, carol, make_meeting):
    """alice reads the app in English, her manager carol in Japanese; one of alice's meetings
    failed for being too long (as the worker stores it: code and params, no sentence)."""
    speaks(alice, "en")
    speaks(carol, "ja")
    meeting = make_meeting(alice, title="All-day workshop", status=Meeting.Status.QUEUED)
    services.meeting_fail(
        meeting_id=meeting.pk,
        code="too_long",
        key="too_long",
        params={"length_seconds": 5 * 3600, "limit_seconds": 4 * 3600},
    )
    meeting.refresh_from_db()
    return meeting


def page(client, user, name: str, *args) -> str:
    client.force_login(user)
    return client.get(reverse(name, args=args)).content.decode()


def test_owner_and_manager_each_read_the_failure_in_their_own_language(client, alice, carol, failed):
    for user, expected, other in ((alice, EN_TOO_LONG, JA_TOO_LONG), (carol, JA_TOO_LONG, EN_TOO_LONG)):
        for html in (page(client, user, "meetings:detail", failed.pk), page(client, user, "meetings:list")):
            assert escape(expected) in html and escape(other) not in html


def test_the_api_gives_the_failure_in_the_requests_language(alice, failed):
    api = key_client(alice)
    url = f"/api/v1/meetings/{failed.pk}/"
    assert api.get(url, HTTP_ACCEPT_LANGUAGE="ja").json()["error"].startswith(JA_TOO_LONG)
    body = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["error"].startswith(EN_TOO_LONG)
    assert (body["error_code"], body["error_params"]) == (
        "too_long",
        {"length_seconds": 18000, "limit_seconds": 14400},
    )
    # an integration that names no language reads the key owner's (alice: English)
    assert api.get(url).json()["error"].startswith(EN_TOO_LONG)
    listed = api.get("/api/v1/meetings/", HTTP_ACCEPT_LANGUAGE="ja").json()["results"]
    assert listed[0]["error"].startswith(JA_TOO_LONG)


def test_the_sentence_stored_for_the_log_is_english(failed):
    assert failed.error.startswith(EN_TOO_LONG)


def test_a_failure_stored_before_codes_had_params_still_reads(client, alice, carol, make_meeting):
    # Given rows from before: a truncated file with its Japanese sentence, a silent one, an internal error
    speaks(alice, "en")
    stored_ja = "この録音は最初の 3 分 しか読み取れませんでした。"
    truncated = make_meeting(alice, title="Old cut", status="failed", error_code="truncated", error=stored_ja)
    silent = make_meeting(
        alice, title="Old muted", status="failed", error_code="silent", error="この録音は無音です。"
    )
    # Then a sentence with lengths in it is shown as stored; a fixed one in the reader's language
    assert escape(stored_ja) in page(client, alice, "meetings:detail", truncated.pk)
    html = page(client, alice, "meetings:detail", silent.pk)
    assert "No speech was found in this recording" in html and "無音です" not in html


def test_an_internal_failure_reads_in_each_language(client, alice, carol, make_meeting):
    speaks(alice, "en")
    speaks(carol, "ja")
    meeting = make_meeting(alice, title="Crashed", status=Meeting.Status.QUEUED)
    services.meeting_fail(meeting_id=meeting.pk, code=services.INTERNAL_ERROR_CODE)
    assert "Something went wrong while processing this recording" in page(
        client, alice, "meetings:detail", meeting.pk
    )
    assert "Something went wrong" not in page(client, carol, "meetings:detail", meeting.pk)


def test_retry_clears_the_failure(client, alice, failed, monkeypatch):
    monkeypatch.setattr("meetings.services.meeting_enqueue", lambda *, meeting_id: None)
    services.meeting_retry(meeting=failed)
    failed.refresh_from_db()
    assert (failed.status, failed.error_code, failed.error_key, failed.error_params, failed.error) == (
        "queued",
        "",
        "",
        {},
        "",
    )
