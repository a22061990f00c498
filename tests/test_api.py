"""The REST API: personal access keys, the same access rules as the pages, the same upload
pipeline, DRF-style errors, throttling, and an OpenAPI schema with offline docs."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from api.models import ApiKey
from coaching.models import MeetingScore, Moment
from meetings.models import Meeting, Segment
from tests.api_helpers import _fresh_throttles, key_client  # noqa: F401 (autouse fixture)
from tests.conftest import wait_for
from tests.test_transcript_import import SALES_VTT

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/meetings/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {m["id"] for m in response.json()["results"]}


def scored(meeting: Meeting, asks: int = 1) -> Meeting:
    MeetingScore.objects.create(meeting=meeting, language="ja", asks=asks, rep_talk_share=0.4)
    Moment.objects.create(
        meeting=meeting,
        behaviour_key="customer_asks_for_proposal",
        turn_index=1,
        char_start=0,
        char_end=5,
        time=4.5,
        text="何かいい",
    )
    Segment.objects.create(meeting=meeting, index=0, start=0, end=2, text="はい", speaker="rep")
    return meeting


# ── authentication ───────────────────────────────────────────────────────────────────────────


def test_anonymous_gets_401_with_a_json_reason(alice, make_meeting):
    meeting = make_meeting(alice)
    for path in (MEETINGS, f"{MEETINGS}{meeting.pk}/", "/api/v1/trends/rep/", "/api/v1/rule-versions/"):
        response = APIClient().get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == "Bearer"
        assert "detail" in response.json()


def test_wrong_or_revoked_key_gets_401(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer azk_not-a-real-key")
    assert client.get(MEETINGS).status_code == 401
    # Given a key that worked, when it is revoked with the management command, it stops working
    out = io.StringIO()
    call_command("api_key", "create", "alice", "--name", "crm", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(MEETINGS).status_code == 200
    key = ApiKey.objects.get(user=alice)
    assert key.digest != raw and raw not in key.digest and key.last_used_at is not None  # stored hashed
    call_command("api_key", "revoke", key.prefix, stdout=io.StringIO())
    assert client.get(MEETINGS).status_code == 401


def test_session_login_works_for_the_browsable_api(client, alice, make_meeting):
    make_meeting(alice, title="Acme kickoff")
    client.force_login(alice)
    page = client.get(MEETINGS, HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and "Acme kickoff" in page.content.decode()


# ── access: the same selectors as the pages ─────────────────────────────────────────────────


def test_rep_key_cannot_read_another_reps_meeting(alice, bob, make_meeting):
    # Given bob's meeting, scored, with a transcript
    theirs = scored(make_meeting(bob, title="Bob's call"))
    mine = make_meeting(alice, title="Alice's call")
    alice_api = key_client(alice)
    # Then alice's key lists only her own, and bob's answers 404 everywhere
    assert ids(alice_api.get(MEETINGS)) == {mine.pk}
    for suffix in ("", "segments/", "moments/", "kpis/"):
        response = alice_api.get(f"{MEETINGS}{theirs.pk}/{suffix}")
        assert response.status_code == 404, suffix
        assert response.json() == {"detail": "No such meeting."}
    response = alice_api.post(f"{MEETINGS}{theirs.pk}/speakers/", {"mapping": {}}, format="json")
    assert response.status_code == 404
    # And filtering by bob as the rep shows nothing rather than his meetings
    assert ids(alice_api.get(MEETINGS, {"rep": bob.pk})) == set()


def test_manager_reads_only_their_team(alice, bob, carol, erin, make_meeting):
    north = {make_meeting(alice).pk, make_meeting(bob).pk}
    south = make_meeting(erin)
    carol_api = key_client(carol)
    assert ids(carol_api.get(MEETINGS)) == north
    assert carol_api.get(f"{MEETINGS}{south.pk}/").status_code == 404
    # Trends: her reps and her team, not erin or South
    assert carol_api.get("/api/v1/trends/rep/", {"rep": alice.pk}).status_code == 200
    assert carol_api.get("/api/v1/trends/rep/", {"rep": erin.pk}).status_code == 404
    team = carol_api.get("/api/v1/trends/team/")
    assert team.status_code == 200 and team.json()["team"]["name"] == "North"
    assert {r["rep"]["username"] for r in team.json()["rows"]} == {"alice", "bob"}
    assert carol_api.get("/api/v1/trends/team/", {"team": erin.profile.team_id}).status_code == 404


def test_rep_cannot_open_team_trends_or_a_teammates_trend(alice, bob):
    alice_api = key_client(alice)
    assert alice_api.get("/api/v1/trends/team/").status_code == 404
    assert alice_api.get("/api/v1/trends/rep/", {"rep": bob.pk}).status_code == 404


def test_admin_sees_every_meeting(admin_user, alice, erin, make_meeting):
    every = {make_meeting(alice).pk, make_meeting(erin).pk}
    assert ids(key_client(admin_user).get(MEETINGS)) == every


# ── reading meetings ─────────────────────────────────────────────────────────────────────────


def test_meeting_detail_segments_moments_and_kpis(alice, make_meeting):
    meeting = scored(make_meeting(alice, title="Acme", customer_name="Acme"))
    api = key_client(alice)
    detail = api.get(f"{MEETINGS}{meeting.pk}/").json()
    assert (detail["title"], detail["status"], detail["has_recording"]) == ("Acme", "done", True)
    segments = api.get(f"{MEETINGS}{meeting.pk}/segments/").json()
    assert segments["count"] == 1 and segments["results"][0]["text"] == "はい"
    moments = api.get(f"{MEETINGS}{meeting.pk}/moments/").json()["results"]
    assert [(m["behaviour_key"], m["time"]) for m in moments] == [("customer_asks_for_proposal", 4.5)]
    kpis = api.get(f"{MEETINGS}{meeting.pk}/kpis/").json()
    assert kpis["asks"] == 1 and kpis["rep_talk_share"] == 0.4


def test_kpis_of_an_unanalysed_meeting_say_so(alice, make_meeting):
    meeting = make_meeting(alice, status=Meeting.Status.TRANSCRIBING)
    response = key_client(alice).get(f"{MEETINGS}{meeting.pk}/kpis/")
    assert response.status_code == 404
    assert response.json()["detail"] == "This meeting has not been analysed yet."


def test_list_filters_by_status_dates_language_and_rep(alice, carol, bob, make_meeting):
    old = make_meeting(alice, held_on=datetime.date(2026, 1, 5), detected_language="en")
    new = make_meeting(alice, held_on=datetime.date(2026, 11, 5), language="ja")
    failed = make_meeting(bob, status=Meeting.Status.FAILED, held_on=datetime.date(2026, 11, 6))
    api = key_client(carol)
    assert ids(api.get(MEETINGS, {"status": "failed"})) == {failed.pk}
    assert ids(api.get(MEETINGS, {"held_after": "2026-11-01"})) == {new.pk, failed.pk}
    assert ids(api.get(MEETINGS, {"held_before": "2026-02-01"})) == {old.pk}
    assert ids(api.get(MEETINGS, {"language": "en"})) == {old.pk}
    assert ids(api.get(MEETINGS, {"language": "ja"})) == {new.pk}
    assert ids(api.get(MEETINGS, {"rep": alice.pk})) == {old.pk, new.pk}


def test_bad_filter_values_get_400_naming_the_field(alice):
    response = key_client(alice).get(MEETINGS, {"status": "exploded", "held_after": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()) == {"status", "held_after"}


def test_pages_of_meetings(alice, make_meeting):
    for i in range(3):
        make_meeting(alice, title=f"m{i}")
    first = key_client(alice).get(MEETINGS, {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]


# ── uploading: the same service (and pipeline) as the upload page ─────────────────────────────


def test_upload_refuses_a_broken_file_with_a_field_error_and_stores_nothing(alice):
    api = key_client(alice)
    response = api.post(
        MEETINGS, {"file": SimpleUploadedFile("empty.vtt", b"", content_type="text/vtt")}, format="multipart"
    )
    assert response.status_code == 400
    assert "empty" in response.json()["file"][0]
    response = api.post(MEETINGS, {"held_on": "2026-11-20"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    assert Meeting.objects.count() == 0


def test_upload_errors_in_japanese_for_a_japanese_client(alice):
    response = key_client(alice).post(
        MEETINGS,
        {"file": SimpleUploadedFile("empty.vtt", b"", content_type="text/vtt")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 400
    assert "空" in response.json()["file"][0]


def test_mapping_validates_names_and_needs_a_rep(alice):
    api = key_client(alice)
    created = api.post(
        MEETINGS, {"file": SimpleUploadedFile("acme.vtt", SALES_VTT), "language": "ja"}, format="multipart"
    ).json()
    url = f"{MEETINGS}{created['id']}/speakers/"
    response = api.post(url, {"mapping": {"佐藤 花子": "customer"}}, format="json")
    assert response.status_code == 400 and "rep" in response.json()["mapping"][0]
    response = api.post(url, {"mapping": {"nobody": "rep"}}, format="json")
    assert response.status_code == 400 and "nobody" in response.json()["mapping"][0]
    assert Meeting.objects.get().status == Meeting.Status.MAPPING


def test_upload_throttle_answers_429(alice, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "upload", "1/hour")
    api = key_client(alice)
    post = lambda: api.post(MEETINGS, {"file": SimpleUploadedFile("a.vtt", b"")}, format="multipart")  # noqa: E731
    assert post().status_code == 400
    response = post()
    assert response.status_code == 429 and "Retry-After" in response


@pytest.mark.worker
def test_transcript_uploaded_through_the_api_is_analysed_by_the_worker(alice, celery_worker_process):
    # Given alice's key, when she uploads a Teams transcript through the API
    api = key_client(alice)
    response = api.post(
        MEETINGS,
        {"file": SimpleUploadedFile("acme.vtt", SALES_VTT, content_type="text/vtt"), "language": "ja"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    assert response.json()["status"] == "mapping"
    # And maps its speakers through the API
    response = api.post(
        f"{MEETINGS}{meeting_id}/speakers/",
        {"mapping": {"山田 太郎": "rep", "佐藤 花子": "customer"}},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "analysing"
    # Then the real worker analyses it, as it does a meeting uploaded on the page
    wait_for(
        lambda: api.get(f"{MEETINGS}{meeting_id}/").json()["status"] == "done",
        timeout=180,
        message="the worker to analyse the meeting",
    )
    kpis = api.get(f"{MEETINGS}{meeting_id}/kpis/").json()
    assert (kpis["asks"], kpis["affirmations"], kpis["proposals"]) == (1, 2, 1)
    moments = api.get(f"{MEETINGS}{meeting_id}/moments/").json()["results"]
    assert "customer_asks_for_proposal" in {m["behaviour_key"] for m in moments}


# ── rule versions ────────────────────────────────────────────────────────────────────────────


def test_everyone_reads_rule_versions_only_admins_see_rules_and_publish(alice, admin_user):
    alice_api, admin_api = key_client(alice), key_client(admin_user)
    versions = alice_api.get("/api/v1/rule-versions/").json()["results"]
    assert versions and versions[0]["is_active"]
    number = versions[0]["number"]
    assert alice_api.get(f"/api/v1/rule-versions/{number}/").json()["snapshot"] is None
    assert admin_api.get(f"/api/v1/rule-versions/{number}/").json()["snapshot"]["rules"]
    # A rep may not publish; an admin publishes the draft as the next active version
    assert alice_api.post("/api/v1/rule-versions/", {"comment": "mine"}, format="json").status_code == 403
    response = admin_api.post("/api/v1/rule-versions/", {"comment": "from the API"}, format="json")
    assert response.status_code == 201
    assert response.json()["number"] == number + 1 and response.json()["is_active"]
    assert alice_api.get("/api/v1/rule-versions/999/").status_code == 404


# ── schema and docs ──────────────────────────────────────────────────────────────────────────


def test_schema_validates_and_covers_the_api(tmp_path):
    path = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(path), "--validate", "--fail-on-warn")
    text = path.read_text()
    for endpoint in (
        "/meetings/",
        "/segments/",
        "/moments/",
        "/kpis/",
        "/trends/rep/",
        "/trends/team/",
        "/rule-versions/",
    ):
        assert endpoint in text, endpoint


def test_docs_page_works_offline(client, alice):
    client.force_login(alice)
    for path in ("/api/docs/", "/api/redoc/"):
        page = client.get(path).content.decode()
        assert "cdn" not in page.lower() and "https://" not in page
        assert "/static/drf_spectacular_sidecar/" in page
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert client.get("/api/schema/").status_code == 200


def test_unknown_api_urls_and_huge_ids_get_json_404(alice):
    api = key_client(alice)
    for path in (
        "/api/v1/nothing-here/",
        "/api/v1/meetings/abc/",
        f"{MEETINGS}{2**70}/",
        "/api/v1/rule-versions/99999999999/",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json" and "detail" in response.json()
    response = api.get(MEETINGS, {"rep": 2**40})
    assert response.status_code == 400 and "rep" in response.json()


def test_errors_speak_the_clients_language(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer azk_revoked")
    response = client.get(MEETINGS, HTTP_ACCEPT_LANGUAGE="ja")
    assert (
        response.status_code == 401
        and response.json()["detail"] == "API キーが正しくないか、失効しています。"
    )
