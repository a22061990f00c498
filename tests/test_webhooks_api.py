"""Webhooks in the REST API: admins register, inspect, resume and redeliver; others get 403."""

import pytest
from rest_framework.test import APIClient

from integrations import signing
from integrations.models import Delivery, WebhookEndpoint
from tests.api_helpers import _fresh_throttles, key_client  # noqa: F401 (autouse fixture)
from tests.test_webhooks import eager_tasks  # noqa: F401  (a fixture)
from tests.webhook_helpers import http_server

pytestmark = pytest.mark.django_db
WEBHOOKS = "/api/v1/webhooks/"
DELIVERIES = "/api/v1/webhook-deliveries/"


@pytest.mark.usefixtures("eager_tasks")
def test_admin_registers_tests_and_redelivers_through_the_api(admin_user, django_capture_on_commit_callbacks):
    api = key_client(admin_user)
    with http_server() as receiver:
        # When the admin registers an endpoint
        created = api.post(WEBHOOKS, {"url": receiver.url, "events": ["meeting.failed"]}, format="json")
        assert created.status_code == 201, created.content
        endpoint = created.json()
        assert endpoint["secret"].startswith("whsec_") and endpoint["status"] == "active"
        # And changes its events and sends it a test event
        changed = api.patch(f"{WEBHOOKS}{endpoint['id']}/", {"events": ["rules.published"]}, format="json")
        assert changed.json()["events"] == ["rules.published"]
        with django_capture_on_commit_callbacks(execute=True):
            ping = api.post(f"{WEBHOOKS}{endpoint['id']}/test/")
        assert ping.status_code == 202
        # Then the receiver got a ping signed with the secret the API showed
        (request,) = receiver.requests
        assert signing.verify(endpoint["secret"], request.body, request.headers["Aizuchi-Signature"])
        # And the delivery, with its attempt, is listed for that endpoint
        listed = api.get(DELIVERIES, {"endpoint": endpoint["id"]}).json()["results"]
        assert [(d["event"], d["status"]) for d in listed] == [("ping", "succeeded")]
        detail = api.get(f"{DELIVERIES}{listed[0]['id']}/").json()
        assert detail["payload"]["type"] == "ping" and detail["attempt_log"][0]["status_code"] == 200
        # When it is redelivered, the same event goes out again
        with django_capture_on_commit_callbacks(execute=True):
            again = api.post(f"{DELIVERIES}{listed[0]['id']}/redeliver/")
        assert again.status_code == 202 and again.json()["redelivery_of"] == listed[0]["id"]
        assert receiver.requests[-1].json()["id"] == detail["payload"]["id"]


def test_paused_endpoint_is_resumed_through_the_api(admin_user):
    endpoint = WebhookEndpoint.objects.create(
        url="https://x.example/h", events=["meeting.failed"], status="paused", paused_reason="HTTP 500"
    )
    resumed = key_client(admin_user).post(f"{WEBHOOKS}{endpoint.pk}/resume/")
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"


def test_bad_events_are_named(admin_user):
    response = key_client(admin_user).post(
        WEBHOOKS, {"url": "https://x.example/h", "events": ["meeting.deleted"]}, format="json"
    )
    assert response.status_code == 400 and "events" in response.json()
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_non_admins_get_403_and_change_nothing(request, persona):
    endpoint = WebhookEndpoint.objects.create(url="https://x.example/h", events=["meeting.failed"])
    delivery = Delivery.objects.create(endpoint=endpoint, event="ping", payload={})
    api = key_client(request.getfixturevalue(persona))
    for response in (
        api.get(WEBHOOKS),
        api.get(f"{WEBHOOKS}{endpoint.pk}/"),
        api.post(WEBHOOKS, {"url": "https://y.example/h", "events": ["meeting.failed"]}, format="json"),
        api.delete(f"{WEBHOOKS}{endpoint.pk}/"),
        api.get(DELIVERIES),
        api.post(f"{DELIVERIES}{delivery.pk}/redeliver/"),
    ):
        assert response.status_code == 403 and "detail" in response.json()
    assert WebhookEndpoint.objects.count() == 1 and Delivery.objects.count() == 1
    assert APIClient().get(WEBHOOKS).status_code == 401
