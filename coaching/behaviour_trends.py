"""Trends of the custom behaviours an admin added (say "customer mentions budget"): moments per
meeting, week by week or month by month, drawn beside the built-in KPIs on My trends.

Built-in behaviours have their own MeetingScore columns; custom ones exist only as moments, so
their series is the moment count over the scored meetings of each period."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count

from coaching.models import Behaviour, Moment
from coaching.trends import as_date, period_starts, period_trunc
from meetings.models import Meeting
from meetings.selectors import meeting_list_for_user


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
        as_date(r["p"]): r["n"]
        for r in meetings.annotate(p=period_trunc(period)).values("p").annotate(n=Count("id")).order_by()
    }
    counts = {
        (as_date(r["p"]), r["behaviour_key"]): r["n"]
        for r in Moment.objects.filter(meeting__in=meetings, behaviour_key__in=[b.key for b in custom])
        .annotate(p=period_trunc(period, "meeting__held_on"))
        .values("p", "behaviour_key")
        .annotate(n=Count("id"))
        .order_by()
    }
    starts = period_starts(period, start, end)
    return [
        {
            "key": f"custom-{b.key}",
            "label": b.name,
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
