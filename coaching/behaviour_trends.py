"""Trends of the custom behaviours an admin added (say "customer mentions budget"): moments per
meeting, week by week or month by month, drawn beside the built-in KPIs on My trends.

Built-in behaviours have their own MeetingScore columns; custom ones exist only as moments, so
their series is the moment count over the scored meetings of each period."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import get_language

from coaching.models import Behaviour, Moment
from coaching.trends import period_starts
from meetings.models import Meeting
from meetings.selectors import meeting_list_for_user


def _trunc(period: str, field: str) -> Any:
    return TruncWeek(field) if period == "week" else TruncMonth(field)


def _day(value: Any) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def custom_behaviour_charts(
    *, viewer: Any, rep: Any, period: str, start: datetime.date, end: datetime.date, labels: list[str]
) -> list[dict[str, Any]]:
    """Chart data (as coaching.views._chart_data makes it) of each custom behaviour for one rep."""
    custom = list(Behaviour.objects.filter(is_builtin=False).order_by("id"))
    if not custom:
        return []
    meetings = meeting_list_for_user(viewer).filter(
        owner=rep, held_on__range=(start, end), status=Meeting.Status.DONE, score__isnull=False
    )
    per_period = {
        _day(r["p"]): r["n"]
        for r in meetings.annotate(p=_trunc(period, "held_on")).values("p").annotate(n=Count("id")).order_by()
    }
    counts = {
        (_day(r["p"]), r["behaviour_key"]): r["n"]
        for r in Moment.objects.filter(meeting__in=meetings, behaviour_key__in=[b.key for b in custom])
        .annotate(p=_trunc(period, "meeting__held_on"))
        .values("p", "behaviour_key")
        .annotate(n=Count("id"))
        .order_by()
    }
    starts = period_starts(period, start, end)
    ja = (get_language() or "").startswith("ja")
    return [
        {
            "key": f"custom-{b.key}",
            "label": b.name_ja if ja else b.name_en,
            "unit": "count",
            "labels": labels,
            "values": [
                round(counts.get((p, b.key), 0) / per_period[p], 2) if per_period.get(p) else None
                for p in starts
            ],
            "median": [None] * len(starts),
            "target": None,
        }
        for b in custom
    ]
