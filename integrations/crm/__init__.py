"""CRM push: a finished meeting's KPIs and moments become an activity in the company's CRM.

One seam (CrmAdapter) per CRM; adapters take plain data (MeetingActivity) and speak HTTP,
never touch the ORM. meeting_push is the service the task calls: it records each push in a
CrmPush row, so a second push of the same meeting updates the CRM's record instead of adding one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

from integrations import payloads, services
from integrations.models import CrmPush


class CrmError(Exception):
    """The CRM refused or could not be reached; `retryable` says whether trying later may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class MeetingActivity:
    """What a CRM activity says about one meeting (built from the meeting.analysed payload)."""

    meeting_id: int
    title: str
    held_on: str  # ISO date
    customer_name: str
    rep_email: str
    rep_name: str
    url: str | None
    kpis: dict[str, Any]
    moments: list[dict[str, Any]] = field(default_factory=list)


class CrmAdapter(Protocol):
    name: str

    def push_meeting(self, activity: MeetingActivity, *, existing_id: str = "") -> str:
        """Create (or, with existing_id, update) the activity; return the CRM's id for it."""
        ...


def adapter_from_settings() -> CrmAdapter | None:
    if settings.AIZUCHI_CRM == "hubspot":
        from integrations.crm.hubspot import HubSpotAdapter

        return HubSpotAdapter(
            base_url=settings.AIZUCHI_HUBSPOT_BASE_URL,
            token=settings.AIZUCHI_HUBSPOT_TOKEN,
            timeout=settings.AIZUCHI_WEBHOOK_TIMEOUT_SECONDS,
        )
    return None


def activity_from_payload(data: dict[str, Any]) -> MeetingActivity:
    meeting = data["meeting"]
    return MeetingActivity(
        meeting_id=meeting["id"],
        title=meeting["title"],
        held_on=meeting["held_on"],
        customer_name=meeting["customer_name"],
        rep_email=meeting["rep"]["email"],
        rep_name=meeting["rep"]["name"] or meeting["rep"]["username"],
        url=meeting["url"],
        kpis={k: v for k, v in data["kpis"].items() if k != "all"},
        moments=data["moments"],
    )


def meeting_push(*, meeting_id: int, adapter: CrmAdapter | None = None) -> float | None:
    """Push one meeting; return the delay before trying again, or None when done (or given up)."""
    adapter = adapter or adapter_from_settings()
    data = payloads.meeting_analysed(meeting_id)
    if adapter is None or data is None:
        return None
    push, _created = CrmPush.objects.get_or_create(meeting_id=meeting_id, crm=adapter.name)
    push.attempts += 1
    try:
        push.external_id = adapter.push_meeting(activity_from_payload(data), existing_id=push.external_id)
    except CrmError as error:
        push.error = str(error)[:2000]
        give_up = not error.retryable or push.attempts >= settings.AIZUCHI_WEBHOOK_MAX_ATTEMPTS
        push.status = CrmPush.Status.FAILED if give_up else CrmPush.Status.PENDING
        push.save()
        return None if give_up else services.retry_delay(push.attempts)
    push.status, push.error, push.pushed_at = CrmPush.Status.PUSHED, "", timezone.now()
    push.save()
    return None
