"""The JSON each event carries: plain dicts built from other apps' rows (read-only here).

Webhook receivers and the CRM adapter read these; field names are part of the public contract
(documented in the README), so add fields rather than rename them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

KPI_COLUMNS = (
    "asks",
    "affirmations",
    "case_studies",
    "proposals",
    "premature_proposals",
    "affirmations_per_customer_minute",
    "listening_window_customer_share",
    "rep_talk_share",
    "ask_to_proposal_latency_median",
)


def absolute_url(path: str) -> str | None:
    """A link into Aizuchi, when AIZUCHI_PUBLIC_URL says where it is served (else None)."""
    base = settings.AIZUCHI_PUBLIC_URL.rstrip("/")
    return f"{base}{path}" if base else None


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "name": user.get_full_name(), "email": user.email}


def meeting_data(meeting: Any) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "public_id": str(meeting.public_id),
        "title": meeting.title,
        "held_on": meeting.held_on.isoformat(),
        "customer_name": meeting.customer_name,
        "language": meeting.detected_language or meeting.language,
        "duration_seconds": meeting.duration_seconds,
        "status": meeting.status,
        "rep": _person(meeting.owner),
        "team": {"id": meeting.team.pk, "name": meeting.team.name} if meeting.team else None,
        "url": absolute_url(reverse("meetings:detail", args=[meeting.pk])),
    }


def _meeting(meeting_id: int) -> Any:
    from meetings.models import Meeting

    return Meeting.objects.select_related("owner", "team").filter(pk=meeting_id).first()


def meeting_analysed(meeting_id: int) -> dict[str, Any] | None:
    """The meeting, its KPIs and its moments (None if it was deleted meanwhile)."""
    from coaching.models import MeetingScore, Moment

    meeting = _meeting(meeting_id)
    if meeting is None:
        return None
    score = MeetingScore.objects.filter(meeting_id=meeting_id).first()
    kpis: dict[str, Any] = {}
    if score is not None:
        kpis = {name: getattr(score, name) for name in KPI_COLUMNS}
        kpis["all"] = score.kpis
    moments = [
        {"behaviour": b, "time": t, "text": text, "source": source, "score": s}
        for b, t, text, source, s in Moment.objects.filter(meeting_id=meeting_id)
        .order_by("turn_index", "char_start")
        .values_list("behaviour_key", "time", "text", "source", "score")
    ]
    return {
        "meeting": meeting_data(meeting),
        "rules_version": score.rules_version if score else "",
        "kpis": kpis,
        "moments": moments,
    }


def meeting_failed(meeting_id: int, code: str, message: str) -> dict[str, Any] | None:
    """The meeting and why it failed (the first reason: later failures of the same run add none)."""
    meeting = _meeting(meeting_id)
    if meeting is None:
        return None
    return {"meeting": meeting_data(meeting), "error_code": code, "error": str(message)}


def rules_published(ruleset_id: int) -> dict[str, Any] | None:
    from coaching.models import RuleSet

    ruleset = RuleSet.objects.select_related("author").filter(pk=ruleset_id).first()
    if ruleset is None:
        return None
    return {
        "version": ruleset.number,
        "comment": ruleset.comment,
        "source": ruleset.source,
        "author": _person(ruleset.author) if ruleset.author else None,
        "rules": len(ruleset.snapshot.get("rules", [])),
        "behaviours": sorted(ruleset.snapshot.get("behaviours", {})),
        "published_at": ruleset.created_at.isoformat(),
    }


def deal_evidence_changed(deal_id: int) -> dict[str, Any] | None:
    from deals.models import Deal, DealMeeting

    deal = Deal.objects.select_related("owner", "team").filter(pk=deal_id).first()
    if deal is None:
        return None
    return {
        "deal": {
            "id": deal.pk,
            "name": deal.name,
            "customer_name": deal.customer_name,
            "stage": deal.stage,
            "outcome": deal.outcome,
            "amount": str(deal.amount) if deal.amount is not None else None,
            "opened_on": deal.opened_on.isoformat(),
            "closed_on": deal.closed_on.isoformat() if deal.closed_on else None,
            "rep": _person(deal.owner),
            "team": {"id": deal.team.pk, "name": deal.team.name} if deal.team else None,
            "url": absolute_url(reverse("deals:detail", args=[deal.pk])),
        },
        "meeting_ids": sorted(DealMeeting.objects.filter(deal=deal).values_list("meeting_id", flat=True)),
    }
