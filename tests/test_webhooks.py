"""Webhooks: admins register endpoints; events reach them signed, failures are retried with
backoff and logged, an endpoint that keeps failing is paused, and any delivery can be sent again.

Deliveries run eagerly here (the task, its retries and the HTTP request are real; the broker is
not): tests/test_webhooks_worker.py sends one through a real worker.
"""

import datetime

import pytest

from integrations import services, signing
from integrations.models import Delivery, WebhookEndpoint
from tests.webhook_helpers import http_server


@pytest.fixture
def eager_tasks():
    from aizuchi.celery import app

    # Not propagating: an eager retry is raised as an exception that apply() itself handles.
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def fast_retries(settings):
    settings.AIZUCHI_WEBHOOK_MAX_ATTEMPTS = 3
    settings.AIZUCHI_WEBHOOK_RETRY_SECONDS = 0
    settings.AIZUCHI_WEBHOOK_PAUSE_AFTER = 2
    return settings


def endpoint_for(url, *events, actor=None):
    return services.endpoint_create(actor=actor, url=url + "/hook", events=list(events))


def test_signature_holds_only_for_the_same_secret_body_and_a_recent_time():
    body = b'{"type":"ping"}'
    header = signing.sign("whsec_a", body, 1_800_000_000)
    assert signing.verify("whsec_a", body, header, now=1_800_000_000 + 299)
    assert not signing.verify("whsec_b", body, header, now=1_800_000_000)  # another secret
    assert not signing.verify("whsec_a", body + b" ", header, now=1_800_000_000)  # body changed
    assert not signing.verify("whsec_a", body, header, now=1_800_000_000 + 301)  # replayed later
    assert not signing.verify("whsec_a", body, "v1=abc", now=1_800_000_000)  # no timestamp


@pytest.mark.django_db
def test_analysed_meeting_reaches_subscribed_endpoints_signed_and_logged(
    alice, make_meeting, eager_tasks, django_capture_on_commit_callbacks
):
    from meetings import services as meeting_services

    with http_server() as receiver, http_server() as other:
        # Given one endpoint for analysed meetings and one for published rules only
        hook = endpoint_for(receiver.url, "meeting.analysed", "meeting.failed")
        endpoint_for(other.url, "rules.published")
        meeting = make_meeting(alice, title="Acme kickoff", customer_name="Acme")
        # When the meeting finishes processing
        with django_capture_on_commit_callbacks(execute=True):
            meeting_services.meeting_mark_done(meeting)
        # Then the subscribed endpoint got one signed JSON POST about it, the other nothing
        assert other.requests == []
        (request,) = receiver.requests
        assert request.path == "/hook" and request.headers["Content-Type"] == "application/json"
        assert signing.verify(hook.secret, request.body, request.headers["Aizuchi-Signature"])
        body = request.json()
        assert body["type"] == "meeting.analysed" == request.headers["Aizuchi-Event"]
        assert body["data"]["meeting"]["id"] == meeting.pk
        assert body["data"]["meeting"]["customer_name"] == "Acme"
        assert body["data"]["meeting"]["rep"]["username"] == "alice"
        assert {"kpis", "moments", "rules_version"} <= set(body["data"])
    # And the delivery and its one attempt are logged
    delivery = Delivery.objects.get(endpoint=hook)
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempts == 1
    (attempt,) = delivery.attempt_log.all()
    assert attempt.status_code == 200 and attempt.error == "" and attempt.duration_ms >= 0
    assert str(delivery.event_id) == body["id"] == request.headers["Aizuchi-Event-Id"]


@pytest.mark.django_db
def test_failing_receiver_is_retried_then_paused_and_resumed_deliveries_can_be_sent_again(
    alice, make_meeting, eager_tasks, fast_retries, django_capture_on_commit_callbacks
):
    from meetings import services as meeting_services

    with http_server(lambda request: (500, {"error": "down"})) as receiver:
        hook = endpoint_for(receiver.url, "meeting.analysed")
        meetings = [make_meeting(alice, title=f"Call {i}") for i in range(3)]
        # When two meetings finish while the receiver answers 500
        for meeting in meetings[:2]:
            with django_capture_on_commit_callbacks(execute=True):
                meeting_services.meeting_mark_done(meeting)
        # Then each delivery was tried three times, every attempt logged, and both failed
        assert len(receiver.requests) == 6
        first, second = Delivery.objects.filter(endpoint=hook).order_by("pk")
        for delivery in (first, second):
            assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3
            assert [(a.number, a.status_code, a.error) for a in delivery.attempt_log.all()] == [
                (1, 500, "HTTP 500"),
                (2, 500, "HTTP 500"),
                (3, 500, "HTTP 500"),
            ]
        # And after two failed deliveries in a row the endpoint is paused, saying why
        hook.refresh_from_db()
        assert hook.is_paused and hook.paused_reason == "HTTP 500" and hook.paused_at is not None
        # And a meeting finishing meanwhile is recorded as skipped, without a request
        with django_capture_on_commit_callbacks(execute=True):
            meeting_services.meeting_mark_done(meetings[2])
        assert len(receiver.requests) == 6
        skipped = Delivery.objects.filter(endpoint=hook).order_by("pk").last()
        assert skipped.status == Delivery.Status.SKIPPED
        # When the receiver is fixed, the admin resumes the endpoint and redelivers the skipped one
        receiver.respond = lambda request: (204, {})
        services.endpoint_resume(endpoint=hook)
        with django_capture_on_commit_callbacks(execute=True):
            again = services.delivery_redeliver(delivery=skipped)
    # Then it arrives with the same event id, and the endpoint counts no failures any more
    again.refresh_from_db()
    assert again.status == Delivery.Status.SUCCEEDED and again.redelivery_of == skipped
    assert receiver.requests[-1].json()["id"] == str(skipped.event_id)
    hook.refresh_from_db()
    assert not hook.is_paused and hook.consecutive_failures == 0


@pytest.mark.django_db
def test_backoff_doubles_and_is_capped(settings):
    settings.AIZUCHI_WEBHOOK_RETRY_SECONDS = 30
    assert [services.retry_delay(n) for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 240, 480]
    assert services.retry_delay(20) == 3600


@pytest.mark.django_db
def test_unreachable_receiver_logs_the_connection_error(eager_tasks, fast_retries):
    # Given an endpoint on a port nobody listens on
    with http_server() as gone:
        url = gone.url
    hook = endpoint_for(url, "meeting.failed")
    # When a test event is sent
    delivery = services.ping_send(endpoint=hook)
    from integrations.tasks import webhook_deliver

    webhook_deliver.delay(delivery.pk)
    # Then every attempt says it could not connect
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert all(a.status_code is None and "ConnectError" in a.error for a in delivery.attempt_log.all())


@pytest.mark.django_db
def test_meeting_failed_is_sent_once_however_many_tasks_fail_it(
    alice, make_meeting, eager_tasks, django_capture_on_commit_callbacks
):
    from meetings import services as meeting_services
    from meetings.models import Meeting

    with http_server() as receiver:
        endpoint_for(receiver.url, "meeting.failed")
        meeting = make_meeting(alice, status=Meeting.Status.TRANSCRIBING)
        # When two chunk tasks of the meeting fail
        with django_capture_on_commit_callbacks(execute=True):
            meeting_services.meeting_fail(meeting_id=meeting.pk, code="silent", message="No speech")
            meeting_services.meeting_fail(meeting_id=meeting.pk, code="internal", message="Oops")
    # Then the receiver hears of it once, with the first reason
    (request,) = receiver.requests
    data = request.json()["data"]
    assert data["meeting"]["id"] == meeting.pk and data["error_code"] == "silent"
    meeting.refresh_from_db()
    assert meeting.error_code == "internal"  # the stored sentence is the last one, as before


@pytest.mark.django_db
def test_published_rules_and_closed_deals_are_events(
    admin_user, alice, make_meeting, eager_tasks, django_capture_on_commit_callbacks
):
    from coaching.workbench.services import ruleset_publish
    from deals import services as deal_services

    with http_server() as receiver:
        endpoint_for(receiver.url, "rules.published", "deal.evidence_changed")
        # When an admin publishes the rules
        with django_capture_on_commit_callbacks(execute=True):
            version = ruleset_publish(actor=admin_user, comment="Tighter asks", rescore=False)
        # And a deal with a meeting is won
        deal = deal_services.deal_create(
            owner=alice, customer_name="Acme", name="Pilot", opened_on=datetime.date(2026, 10, 1)
        )
        deal_services.deal_attach_meeting(deal=deal, meeting=make_meeting(alice))
        with django_capture_on_commit_callbacks(execute=True):
            deal_services.deal_update(
                deal=deal, stage="closed", outcome="won", closed_on=datetime.date(2026, 11, 30), amount=None
            )
    rules, won = (r.json() for r in receiver.requests)
    assert rules["type"] == "rules.published" and rules["data"]["version"] == version.number
    assert rules["data"]["comment"] == "Tighter asks" and rules["data"]["author"]["username"] == "admin"
    assert won["type"] == "deal.evidence_changed"
    assert won["data"]["deal"]["outcome"] == "won" and len(won["data"]["meeting_ids"]) == 1


@pytest.mark.django_db
def test_a_broken_listener_never_fails_the_meeting(alice, make_meeting, monkeypatch):
    from integrations import receivers
    from meetings import services as meeting_services
    from meetings.models import Meeting

    def broken(*args, **kwargs):
        raise RuntimeError("listener bug")

    monkeypatch.setattr(receivers.services, "event_emit", broken)
    endpoint_for("http://127.0.0.1:9", "meeting.analysed")
    meeting = make_meeting(alice, status=Meeting.Status.ANALYSING)
    meeting_services.meeting_mark_done(meeting)  # autocommit: the signal is sent at once
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DONE


@pytest.mark.django_db
def test_endpoint_needs_known_events_and_a_web_url(admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        services.endpoint_create(actor=admin_user, url="https://example.com/h", events=["meeting.deleted"])
    assert "events" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        services.endpoint_create(actor=admin_user, url="ftp://example.com/h", events=["meeting.failed"])
    assert "url" in raised.value.message_dict
    assert WebhookEndpoint.objects.count() == 0


def test_the_readme_verification_snippet_accepts_our_signature_and_rejects_a_forgery():
    import re
    import time
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    (snippet,) = [s for s in re.findall(r"```python\n(.*?)```", readme, re.S) if "def verify(" in s]
    namespace: dict = {}
    exec(snippet, namespace)
    body = b'{"type":"ping"}'
    header = signing.sign("whsec_x", body, int(time.time()))
    assert namespace["verify"]("whsec_x", body, header)
    assert not namespace["verify"]("whsec_y", body, header)
    assert not namespace["verify"]("whsec_x", body, signing.sign("whsec_x", body, int(time.time()) - 600))


def test_the_apps_whose_events_are_relayed_never_import_integrations():
    from pathlib import Path

    root = Path(__file__).parent.parent
    for app in ("meetings", "coaching", "deals", "accounts", "reviews"):
        for path in (root / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "import integrations" not in text and "from integrations" not in text, path


@pytest.mark.django_db
def test_moving_meetings_into_or_out_of_a_closed_deal_changes_its_evidence(
    alice, make_meeting, eager_tasks, django_capture_on_commit_callbacks
):
    from deals import services as deal_services

    with http_server() as receiver:
        endpoint_for(receiver.url, "deal.evidence_changed")
        won = deal_services.deal_create(
            owner=alice,
            customer_name="Acme",
            name="Pilot",
            opened_on=datetime.date(2026, 10, 1),
            outcome="won",
            closed_on=datetime.date(2026, 11, 1),
        )
        open_deal = deal_services.deal_create(
            owner=alice, customer_name="Acme", name="Renewal", opened_on=datetime.date(2026, 11, 2)
        )
        meeting = make_meeting(alice)
        steps = [
            lambda: deal_services.deal_attach_meeting(deal=open_deal, meeting=meeting),  # open: no evidence
            lambda: deal_services.deal_attach_meeting(deal=won, meeting=meeting),  # moved into the won deal
            lambda: deal_services.deal_attach_meeting(deal=won, meeting=meeting),  # again: a no-op
            lambda: deal_services.deal_detach_meeting(meeting=meeting),  # and out of it
        ]
        for step in steps:  # each its own request
            with django_capture_on_commit_callbacks(execute=True):
                step()
    assert [(r.json()["data"]["deal"]["id"], r.json()["data"]["meeting_ids"]) for r in receiver.requests] == [
        (won.pk, [meeting.pk]),
        (won.pk, []),
    ]
