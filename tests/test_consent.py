"""Consent to record: where a team requires it, an upload without a consent notice is refused
with a clear sentence (Japanese or English) and nothing is stored; the meeting page shows it."""

import pytest
from django.urls import reverse

from meetings.models import Meeting
from privacy.models import MeetingConsent, TeamPolicy
from tests.api_helpers import _fresh_throttles, key_client  # noqa: F401 (fixture)
from tests.conftest import JFK_WAV
from tests.privacy_helpers import files_under

pytestmark = pytest.mark.django_db

REFUSED_EN = "Your team keeps recordings only with the customer&#x27;s consent"
REFUSED_JA = "このチームでは、お客様の同意がある録音だけを保存します"


@pytest.fixture
def queued(monkeypatch):
    """What would be sent to the worker (no worker in these tests)."""
    sent = []
    monkeypatch.setattr("meetings.services.meeting_enqueue", lambda *, meeting_id: sent.append(meeting_id))
    return sent


@pytest.fixture
def consent_required(north):
    return TeamPolicy.objects.create(team=north, consent_required=True)


def upload(client, **fields):
    data = {
        "held_on": "2026-11-20",
        "language": "auto",
        "title": "Kickoff",
        "customer_name": "ACME",
        **fields,
    }
    with JFK_WAV.open("rb") as handle:
        data["files"] = [handle]
        return client.post(reverse("meetings:list"), data)


def test_upload_without_consent_is_refused_in_english(media, client, alice, consent_required, queued):
    client.force_login(alice)
    assert (
        "Consent to record (required by your team)" in client.get(reverse("meetings:list")).content.decode()
    )
    response = upload(client)
    assert response.status_code == 400
    assert REFUSED_EN in response.content.decode()
    assert Meeting.objects.count() == 0 and files_under(media) == [] and queued == []


def test_upload_without_consent_is_refused_in_japanese(media, client, alice, consent_required, queued):
    alice.profile.language = "ja"
    alice.profile.save()
    client.force_login(alice)
    response = upload(client)
    assert response.status_code == 400
    assert REFUSED_JA in response.content.decode()
    assert Meeting.objects.count() == 0 and files_under(media) == []


def test_ticking_the_box_without_saying_who_is_refused(media, client, alice, consent_required, queued):
    client.force_login(alice)
    response = upload(client, **{"consent-given": "on"})
    assert response.status_code == 400 and "Say who was told" in response.content.decode()
    assert Meeting.objects.count() == 0


def test_upload_with_consent_is_stored_and_shown_on_the_meeting_page(
    media, client, alice, consent_required, queued, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client,
            **{"consent-given": "on", "consent-told_whom": "山田様 (ACME)", "consent-method": "invitation"},
        )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and queued == [meeting.pk]
    consent = MeetingConsent.objects.get(meeting=meeting)
    assert (consent.told_whom, consent.method, consent.recorded_by) == ("山田様 (ACME)", "invitation", alice)
    assert str(consent.told_on) == "2026-11-20"  # blank "when": the meeting's date
    html = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'id="consent-notice"' in html and "山田様 (ACME)" in html and "Written in the invitation" in html


def test_a_team_without_the_requirement_uploads_as_before(media, client, alice, queued):
    client.force_login(alice)
    response = upload(client)
    assert response.status_code == 302
    assert Meeting.objects.count() == 1 and not MeetingConsent.objects.exists()


def test_the_api_refuses_an_upload_without_consent_and_accepts_one_with_it(
    media, alice, consent_required, queued
):
    api = key_client(alice)
    with JFK_WAV.open("rb") as handle:
        refused = api.post(
            "/api/v1/meetings/", {"file": handle}, format="multipart", HTTP_ACCEPT_LANGUAGE="ja"
        )
    assert refused.status_code == 400
    assert REFUSED_JA in refused.json()["consent_told_whom"][0]
    assert Meeting.objects.count() == 0
    with JFK_WAV.open("rb") as handle:
        accepted = api.post(
            "/api/v1/meetings/", {"file": handle, "consent_told_whom": "Mr Sato"}, format="multipart"
        )
    assert accepted.status_code == 201
    assert MeetingConsent.objects.get().told_whom == "Mr Sato"
