"""Writes of webhooks: endpoints, emitting an event, one delivery attempt, redelivery.

A delivery is one event for one endpoint. Its task calls delivery_attempt until it returns no
delay; every HTTP request is logged as a DeliveryAttempt. An endpoint whose deliveries fail
every attempt AIZUCHI_WEBHOOK_PAUSE_AFTER times in a row is paused until an admin resumes it.
"""

from __future__ import annotations

import functools
import json
import time
import uuid
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations import signing
from integrations.models import PING, Delivery, DeliveryAttempt, Event, WebhookEndpoint, new_secret

USER_AGENT = "Aizuchi-Webhooks/1"


# ── endpoints ────────────────────────────────────────────────────────────────────────────────


def _clean_events(events: list[str]) -> list[str]:
    known = set(Event.values)
    unknown = [e for e in events if e not in known]
    if unknown:
        raise ValidationError({"events": _("Unknown events: %(names)s") % {"names": ", ".join(unknown)}})
    if not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    return [e for e in Event.values if e in events]  # in a stable order, once each


def endpoint_create(*, actor: Any, url: str, events: list[str], description: str = "") -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url=url.strip(), events=_clean_events(events), description=description.strip(), created_by=actor
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    endpoint.url, endpoint.events, endpoint.description = (
        url.strip(),
        _clean_events(events),
        description.strip(),
    )
    endpoint.full_clean()
    endpoint.save(update_fields=["url", "events", "description", "updated_at"])
    return endpoint


def endpoint_resume(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Deliver again; what was skipped while paused can be redelivered from the list."""
    endpoint.status = WebhookEndpoint.Status.ACTIVE
    endpoint.consecutive_failures = 0
    endpoint.paused_reason = ""
    endpoint.paused_at = None
    endpoint.save(
        update_fields=["status", "consecutive_failures", "paused_reason", "paused_at", "updated_at"]
    )
    return endpoint


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


# ── emitting ─────────────────────────────────────────────────────────────────────────────────


def envelope(event: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": event,
        "created_at": timezone.now().isoformat(),
        "data": data,
    }


def event_emit(*, event: str, data: dict[str, Any]) -> list[Delivery]:
    """A delivery for every endpoint subscribed to `event`, sent once the transaction commits.

    A paused endpoint gets a skipped delivery: the admin sees what it missed and can redeliver."""
    body = envelope(event, data)
    endpoints = [e for e in WebhookEndpoint.objects.all() if event in e.events]
    deliveries = []
    for endpoint in endpoints:
        paused = endpoint.is_paused
        deliveries.append(
            Delivery.objects.create(
                endpoint=endpoint,
                event=event,
                event_id=body["id"],
                payload=body,
                status=Delivery.Status.SKIPPED if paused else Delivery.Status.PENDING,
                finished_at=timezone.now() if paused else None,
            )
        )
    _enqueue([d for d in deliveries if d.status == Delivery.Status.PENDING])
    return deliveries


def ping_send(*, endpoint: WebhookEndpoint) -> Delivery:
    """A test event to one endpoint, paused or not, so an admin can check a fix before resuming."""
    body = envelope(PING, {"endpoint": endpoint.pk, "message": "Aizuchi test event"})
    delivery = Delivery.objects.create(
        endpoint=endpoint, event=PING, event_id=body["id"], payload=body, manual=True
    )
    _enqueue([delivery])
    return delivery


def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """The same event again (same event id, so receivers can tell), as a new delivery."""
    again = Delivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        manual=True,
        redelivery_of=delivery,
    )
    _enqueue([again])
    return again


def _enqueue(deliveries: list[Delivery]) -> None:
    from integrations.tasks import webhook_deliver

    def send(pk: int) -> None:
        webhook_deliver.delay(pk)

    for delivery in deliveries:
        transaction.on_commit(functools.partial(send, delivery.pk))


# ── delivering ───────────────────────────────────────────────────────────────────────────────


def body_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def retry_delay(attempts_made: int) -> float:
    """Exponential backoff: base, 2×base, 4×base, … capped at an hour."""
    return min(settings.AIZUCHI_WEBHOOK_RETRY_SECONDS * 2 ** (attempts_made - 1), 3600.0)


def _post(delivery: Delivery) -> tuple[int | None, str, str]:
    """(status code or None, start of the response body, error) of one signed POST."""
    body = body_bytes(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Aizuchi-Event": delivery.event,
        "Aizuchi-Event-Id": str(delivery.event_id),
        "Aizuchi-Delivery": str(delivery.pk),
        signing.HEADER: signing.sign(delivery.endpoint.secret, body, int(time.time())),
    }
    timeout = settings.AIZUCHI_WEBHOOK_TIMEOUT_SECONDS
    try:
        # Redirects are not followed: a receiver that moved is reported, not chased.
        response = httpx.post(delivery.endpoint.url, content=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return None, "", f"timed out after {timeout:g} s"
    except httpx.HTTPError as failure:
        return None, "", f"{type(failure).__name__}: {failure}"[:2000]
    problem = "" if response.is_success else f"HTTP {response.status_code}"
    return response.status_code, response.text[:500], problem


def delivery_attempt(*, delivery_id: int) -> float | None:
    """Send one attempt of a pending delivery and log it; return the delay before the next
    attempt, or None when the delivery is finished (succeeded, failed for good, or skipped)."""
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return None  # a task that ran twice, or a delivery since deleted
    endpoint = delivery.endpoint
    if endpoint.is_paused and not delivery.manual:
        _finish(delivery, Delivery.Status.SKIPPED)
        return None
    started, clock = timezone.now(), time.monotonic()
    status_code, excerpt, error = _post(delivery)
    number = delivery.attempts + 1
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started,
        duration_ms=round((time.monotonic() - clock) * 1000),
        status_code=status_code,
        response_excerpt=excerpt,
        error=error,
    )
    delivery.attempts, delivery.last_status_code, delivery.last_error = number, status_code, error
    delivery.save(update_fields=["attempts", "last_status_code", "last_error"])
    if not error:
        _finish(delivery, Delivery.Status.SUCCEEDED)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return None
    if number < settings.AIZUCHI_WEBHOOK_MAX_ATTEMPTS:
        return retry_delay(number)
    _finish(delivery, Delivery.Status.FAILED)
    _count_failure(endpoint, error)
    return None


def _finish(delivery: Delivery, status: str) -> None:
    delivery.status, delivery.finished_at = status, timezone.now()
    delivery.save(update_fields=["status", "finished_at"])


def _count_failure(endpoint: WebhookEndpoint, error: str) -> None:
    """One more delivery that failed every attempt; pause the endpoint at the limit."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        WebhookEndpoint.objects.filter(
            pk=endpoint.pk,
            status=WebhookEndpoint.Status.ACTIVE,
            consecutive_failures__gte=settings.AIZUCHI_WEBHOOK_PAUSE_AFTER,
        ).update(
            status=WebhookEndpoint.Status.PAUSED,
            paused_reason=error,
            paused_at=timezone.now(),
            updated_at=timezone.now(),
        )
