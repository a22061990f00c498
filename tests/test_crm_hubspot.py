"""CRM push: an analysed meeting becomes a HubSpot note on the customer's company.

The HubSpot here is a real HTTP server on loopback that speaks the documented CRM v3 shapes
(companies search, notes create and update) and checks the private-app token.
"""

import pytest

from integrations import crm
from integrations.models import CrmPush
from tests.test_webhooks import eager_tasks  # noqa: F401  (a fixture)
from tests.webhook_helpers import Received, http_server

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"


def fake_hubspot(request: Received):
    """Answers like api.hubapi.com: 401 without the token, company 9001 for "Acme", note 5001."""
    if request.headers.get("Authorization") != f"Bearer {TOKEN}":
        return 401, {
            "status": "error",
            "message": "Authentication credentials not found.",
            "category": "INVALID_AUTHENTICATION",
        }
    body = request.json()
    if (request.method, request.path) == ("POST", "/crm/v3/objects/companies/search"):
        wanted = body["filterGroups"][0]["filters"][0]
        found = wanted["propertyName"] == "name" and wanted["value"] == "Acme"
        results = [{"id": "9001", "properties": {"name": "Acme"}, "archived": False}] if found else []
        return 200, {"total": len(results), "results": results}
    if (request.method, request.path) == ("POST", "/crm/v3/objects/notes"):
        return 201, {"id": "5001", "properties": body["properties"], "archived": False}
    if (request.method, request.path) == ("PATCH", "/crm/v3/objects/notes/5001"):
        return 200, {"id": "5001", "properties": body["properties"], "archived": False}
    return 404, {"status": "error", "message": "Not found", "category": "OBJECT_NOT_FOUND"}


@pytest.fixture
def analysed_meeting(alice, make_meeting):
    from coaching.models import MeetingScore, Moment

    alice.email, alice.first_name, alice.last_name = "alice@example.com", "Alice", "Abe"
    alice.save()
    meeting = make_meeting(alice, title="Acme kickoff", customer_name="Acme", language="ja")
    MeetingScore.objects.create(meeting=meeting, language="ja", asks=2, proposals=1, rep_talk_share=0.42)
    Moment.objects.create(
        meeting=meeting,
        behaviour_key="ask",
        turn_index=3,
        char_start=0,
        char_end=9,
        time=75.0,
        text="何かいい方法はありますか",
    )
    return meeting


@pytest.fixture
def hubspot(settings):
    with http_server(fake_hubspot) as server:
        settings.AIZUCHI_CRM = "hubspot"
        settings.AIZUCHI_HUBSPOT_TOKEN = TOKEN
        settings.AIZUCHI_HUBSPOT_BASE_URL = server.url
        settings.AIZUCHI_PUBLIC_URL = "https://aizuchi.example.com"
        settings.AIZUCHI_WEBHOOK_RETRY_SECONDS = 0
        settings.AIZUCHI_WEBHOOK_MAX_ATTEMPTS = 3
        yield server


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_analysed_meeting_becomes_a_note_on_the_customers_company_and_a_second_push_updates_it(
    analysed_meeting, hubspot, django_capture_on_commit_callbacks
):
    from meetings import services as meeting_services

    # When the meeting finishes processing
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_mark_done(analysed_meeting)
    # Then the company was looked up by name and a note created on it, with the token
    search, create = hubspot.requests
    assert search.path == "/crm/v3/objects/companies/search" and create.path == "/crm/v3/objects/notes"
    assert create.headers["Authorization"] == f"Bearer {TOKEN}"
    note = create.json()
    assert note["associations"] == [
        {
            "to": {"id": "9001"},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 190}],
        }
    ]
    assert note["properties"]["hs_timestamp"] == "2026-11-02T00:00:00Z"
    body = note["properties"]["hs_note_body"]
    assert "Acme kickoff" in body and "Alice Abe" in body
    assert "Customer asks: 2" in body and "Rep talk share: 0.42" in body
    assert "1:15 ask: 何かいい方法はありますか" in body
    assert f'href="https://aizuchi.example.com/meetings/{analysed_meeting.pk}/"' in body
    push = CrmPush.objects.get(meeting=analysed_meeting)
    assert (push.status, push.external_id, push.attempts) == (CrmPush.Status.PUSHED, "5001", 1)
    # When it is pushed again (a retried meeting), the same note is updated, not duplicated
    assert crm.meeting_push(meeting_id=analysed_meeting.pk) is None
    assert [(r.method, r.path) for r in hubspot.requests[2:]] == [("PATCH", "/crm/v3/objects/notes/5001")]


@pytest.mark.django_db
def test_a_refused_token_fails_the_push_at_once_with_hubspots_reason(analysed_meeting, hubspot, settings):
    settings.AIZUCHI_HUBSPOT_TOKEN = "pat-revoked"
    assert crm.meeting_push(meeting_id=analysed_meeting.pk) is None  # no retry: a token will not heal
    push = CrmPush.objects.get(meeting=analysed_meeting)
    assert push.status == CrmPush.Status.FAILED and push.attempts == 1
    assert "HTTP 401" in push.error and "Authentication credentials not found" in push.error


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_hubspot_down_is_retried_then_given_up(analysed_meeting, hubspot):
    from integrations.tasks import crm_push_meeting

    hubspot.respond = lambda request: (503, {"status": "error", "message": "Service unavailable"})
    crm_push_meeting.delay(analysed_meeting.pk)
    push = CrmPush.objects.get(meeting=analysed_meeting)
    assert push.status == CrmPush.Status.FAILED and push.attempts == 3 and len(hubspot.requests) == 3
    assert "HTTP 503" in push.error


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_nothing_goes_to_a_crm_when_it_is_off(
    analysed_meeting, hubspot, settings, django_capture_on_commit_callbacks
):
    from meetings import services as meeting_services

    settings.AIZUCHI_CRM = "off"
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_mark_done(analysed_meeting)
    assert hubspot.requests == [] and not CrmPush.objects.exists()
