"""Signals of meetings, coaching and deals become webhook deliveries and CRM pushes.

The senders fire after their transaction commits, so the rows read here are the final ones.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

from integrations import payloads, services
from integrations.models import Event


def _emit(event: str, build: Callable[..., dict[str, Any] | None], *args: Any) -> None:
    data = build(*args)
    if data is not None:
        services.event_emit(event=event, data=data)


def on_meeting_analysed(sender: Any, meeting_id: int, **kwargs: Any) -> None:
    _emit(Event.MEETING_ANALYSED, payloads.meeting_analysed, meeting_id)
    if settings.AIZUCHI_CRM != "off":
        from integrations.tasks import crm_push_meeting

        transaction.on_commit(lambda: crm_push_meeting.delay(meeting_id))


def on_meeting_failed(sender: Any, meeting_id: int, code: str, message: str, **kwargs: Any) -> None:
    _emit(Event.MEETING_FAILED, payloads.meeting_failed, meeting_id, code, message)


def on_rules_published(sender: Any, ruleset_id: int, **kwargs: Any) -> None:
    _emit(Event.RULES_PUBLISHED, payloads.rules_published, ruleset_id)


def on_deal_evidence_changed(sender: Any, deal_id: int, **kwargs: Any) -> None:
    _emit(Event.DEAL_EVIDENCE_CHANGED, payloads.deal_evidence_changed, deal_id)


def connect() -> None:
    from coaching.signals import rules_published
    from deals.signals import deal_evidence_changed
    from meetings.signals import meeting_analysed, meeting_failed

    meeting_analysed.connect(on_meeting_analysed, dispatch_uid="integrations.meeting_analysed")
    meeting_failed.connect(on_meeting_failed, dispatch_uid="integrations.meeting_failed")
    rules_published.connect(on_rules_published, dispatch_uid="integrations.rules_published")
    deal_evidence_changed.connect(on_deal_evidence_changed, dispatch_uid="integrations.deal_evidence")
