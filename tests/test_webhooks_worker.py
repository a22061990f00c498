"""Webhooks through a real Celery worker: an imported transcript is analysed by the worker, which
delivers the signed event to a receiver on loopback, retries a failing one with backoff until
its endpoint is paused; a redelivery from the admin page then goes through the worker too."""

import pytest
from django.urls import reverse

from integrations import services, signing
from integrations.models import Delivery, WebhookEndpoint
from tests.conftest import wait_for
from tests.test_transcript_import import SALES_VTT, upload_transcript
from tests.webhook_helpers import http_server


@pytest.fixture
def quick_retries_in_worker(monkeypatch):
    """The worker started next reads these: three attempts 0.2 s and 0.4 s apart, pause at once."""
    monkeypatch.setenv("AIZUCHI_WEBHOOK_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("AIZUCHI_WEBHOOK_RETRY_SECONDS", "0.2")
    monkeypatch.setenv("AIZUCHI_WEBHOOK_PAUSE_AFTER", "1")


@pytest.fixture
def webhook_worker(quick_retries_in_worker, celery_worker_process):
    return celery_worker_process


@pytest.mark.worker
def test_worker_delivers_a_signed_analysed_meeting_and_pauses_a_failing_endpoint(
    client, alice, admin_user, webhook_worker
):
    from meetings.models import Meeting

    with http_server() as receiver, http_server(lambda request: (500, {"error": "boom"})) as broken:
        good = services.endpoint_create(
            actor=admin_user, url=receiver.url + "/in", events=["meeting.analysed"]
        )
        bad = services.endpoint_create(actor=admin_user, url=broken.url, events=["meeting.analysed"])
        # Given alice imports a Teams transcript and maps its speakers
        client.force_login(alice)
        upload_transcript(client, "acme.vtt", SALES_VTT)
        meeting = Meeting.objects.get()
        client.post(
            reverse("meetings:speakers_map", args=[meeting.pk]), {"speaker_0": "rep", "speaker_1": "customer"}
        )
        # When the worker has analysed it
        wait_for(lambda: receiver.requests, timeout=120, message="the worker to deliver meeting.analysed")
        (request,) = receiver.requests
        # Then the receiver got the event, signed with its endpoint's secret
        assert signing.verify(good.secret, request.body, request.headers["Aizuchi-Signature"])
        assert not signing.verify(bad.secret, request.body, request.headers["Aizuchi-Signature"])
        data = request.json()["data"]
        assert data["meeting"]["id"] == meeting.pk and data["meeting"]["customer_name"] == "Acme"
        kpis = data["kpis"]
        assert (kpis["asks"], kpis["affirmations"], kpis["proposals"]) == (1, 2, 1)
        assert sorted(m["behaviour"] for m in data["moments"]) == [
            "customer_asks_for_proposal",
            "rep_affirmation",
            "rep_affirmation",
            "rep_proposal",
        ]
        # And the failing receiver was tried three times, after which its endpoint was paused
        wait_for(
            lambda: WebhookEndpoint.objects.get(pk=bad.pk).is_paused,
            timeout=60,
            message="the failing endpoint to be paused",
        )
        assert len(broken.requests) == 3
        failed = Delivery.objects.get(endpoint=bad)
        assert failed.status == Delivery.Status.FAILED
        assert list(failed.attempt_log.values_list("status_code", flat=True)) == [500, 500, 500]
        # When the receiver is fixed and the admin resumes the endpoint and redelivers
        broken.respond = lambda request: (200, {})
        client.force_login(admin_user)
        client.post(reverse("integrations:resume", args=[bad.pk]))
        client.post(reverse("integrations:redeliver", args=[bad.pk, failed.pk]))
        wait_for(
            lambda: Delivery.objects.filter(endpoint=bad, status=Delivery.Status.SUCCEEDED).exists(),
            timeout=60,
            message="the redelivery",
        )
    # Then the same event arrived, with a valid signature of its own
    last = broken.requests[-1]
    assert last.json()["id"] == str(failed.event_id)
    assert signing.verify(bad.secret, last.body, last.headers["Aizuchi-Signature"])
