"""Webhook endpoints, their deliveries and every HTTP attempt, and what was pushed to the CRM.

This app owns these rows; the apps whose events it relays (meetings, coaching, deals) know
nothing of it: they send Django signals, and integrations.receivers turns them into deliveries.
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    MEETING_ANALYSED = "meeting.analysed", _("Meeting analysed")
    MEETING_FAILED = "meeting.failed", _("Meeting failed")
    RULES_PUBLISHED = "rules.published", _("Rules published")
    DEAL_EVIDENCE_CHANGED = "deal.evidence_changed", _("Deal outcome or meetings changed")


PING = "ping"  # sent by "Send test event"; every endpoint receives it, none subscribes to it


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")

    url = models.URLField(_("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Kept in the clear: every delivery is signed with it (admins may look it up again).
    secret = models.CharField(max_length=100, default=new_secret)
    events = models.JSONField(_("events"), default=list)  # a list of Event values
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    # Deliveries that failed every attempt, in a row; a success resets it.
    consecutive_failures = models.PositiveIntegerField(default=0)
    paused_reason = models.TextField(blank=True)  # the last failure's error, as logged
    paused_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    @property
    def is_paused(self) -> bool:
        return self.status == self.Status.PAUSED

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(e, e)) for e in self.events]


class Delivery(models.Model):
    """One event for one endpoint; its attempts say what happened on the wire."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped (endpoint paused)")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    # The same event sent to several endpoints (or again) keeps its id: receivers deduplicate on it.
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    payload = models.JSONField()  # the whole JSON body, as sent
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Sent by an admin (a test event or a redelivery): goes out even while the endpoint is paused.
    manual = models.BooleanField(default=False)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-created_at"])]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One HTTP request: what came back (status code, a little of the body) or why nothing did."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique")]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class CrmPush(models.Model):
    """A meeting written to the CRM as an activity; the CRM's id makes a second push an update."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        PUSHED = "pushed", _("pushed")
        FAILED = "failed", _("failed")

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    crm = models.CharField(max_length=20)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    external_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "crm"], name="crm_push_one_per_meeting")]
        verbose_name = _("CRM push")
        verbose_name_plural = _("CRM pushes")

    def __str__(self) -> str:
        return f"meeting {self.meeting_id} → {self.crm} ({self.status})"
