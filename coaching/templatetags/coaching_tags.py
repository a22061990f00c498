"""Template tags: the coaching part of the meeting page, KPI formatting and sparklines.

The meeting page belongs to `meetings`, which never imports `coaching`; its template loads
this library and calls {% meeting_coaching meeting segments %} with a meeting it already
loaded through the access-checked selector.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from coaching.models import Behaviour, MeetingScore
from coaching.selectors import moments_for_meeting, rules_version_status
from coaching.transcript import transcript_lines
from coaching.trends import KPI_BY_KEY, KPIS
from reviews.forms import CommentForm
from reviews.selectors import comment_list_for_meeting, moment_feedback_flagged_ids, targets_for_rep

register = template.Library()

BEHAVIOURS = {
    "customer_asks_for_proposal": (_("Customer asks"), "#c2410c"),
    "rep_affirmation": (_("Affirmation"), "#15803d"),
    "rep_case_study": (_("Case study"), "#7c3aed"),
    "rep_proposal": (_("Proposal"), "#2563eb"),
    "premature_proposal": (_("Premature proposal"), "#dc2626"),
}
# When two moments cover the same words, the one earlier here is highlighted.
_PRIORITY = ["premature_proposal", "customer_asks_for_proposal", "rep_case_study", "rep_proposal"]


def _behaviour_labels() -> dict[str, tuple[str, str]]:
    labels = {k: (str(v[0]), v[1]) for k, v in BEHAVIOURS.items()}
    for b in Behaviour.objects.exclude(key__in=labels.keys()).only("key", "name_ja", "name_en"):
        labels[b.key] = (b.name, "#475569")
    return labels


@register.filter
def behaviour_name(key: str) -> str:
    """A behaviour's name in the reader's language (its key when it has none)."""
    return _behaviour_labels().get(key, (key, ""))[0]


@register.filter
def kpi_value(value: Any, key: str) -> str:
    """A KPI as the locale writes it: 62%, 1.4, 2 min 05 s."""
    if value is None or value == "":
        return "–"
    kpi = KPI_BY_KEY.get(key)
    unit = kpi.unit if kpi else "count"
    if unit == "share":
        return f"{formats.number_format(round(float(value) * 100), 0)}%"
    if unit == "seconds":
        from meetings.templatetags.meetings_extras import duration

        return duration(value)
    if unit == "rate":
        return formats.number_format(float(value), 2)
    return formats.number_format(float(value), 1 if isinstance(value, float) else 0)


@register.filter
def kpi_delta(value: Any, key: str) -> str:
    """A signed difference of a KPI: +0.8, −5%, −1 min 10 s."""
    if value is None or value == "":
        return "–"
    sign = "+" if float(value) > 0 else ("−" if float(value) < 0 else "±")
    return sign + kpi_value(abs(float(value)), key)


@register.filter
def kpi_count(value: Any) -> str:
    return "–" if value is None else formats.number_format(value, 0)


@register.simple_tag
def sparkline(values: list[float | None], better: str = "", width: int = 90, height: int = 22) -> str:
    """An inline SVG line of the values (gaps skipped); last point coloured by direction."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return mark_safe(f'<svg class="spark" width="{width}" height="{height}" aria-hidden="true"></svg>')
    lo, hi = min(v for _, v in points), max(v for _, v in points)
    span = (hi - lo) or 1.0
    n = max(len(values) - 1, 1)
    coords = [(2 + (width - 4) * i / n, height - 2 - (height - 4) * (v - lo) / span) for i, v in points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    rising = points[-1][1] > points[0][1]
    good = (better == "up" and rising) or (better == "down" and not rising)
    tone = "neutral" if not better or points[-1][1] == points[0][1] else ("good" if good else "bad")
    x, y = coords[-1]
    return format_html(
        '<svg class="spark spark-{}" width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true">'
        '<polyline points="{}" fill="none" stroke-width="1.5"/><circle cx="{}" cy="{}" r="2"/></svg>',
        tone,
        width,
        height,
        width,
        height,
        path,
        f"{x:.1f}",
        f"{y:.1f}",
    )


@register.simple_tag
def kpis() -> tuple:
    return KPIS


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.inclusion_tag("coaching/legend.html")
def moment_legend() -> dict[str, Any]:
    return {"legend": [(k, str(label), colour) for k, (label, colour) in BEHAVIOURS.items()]}


@register.inclusion_tag("coaching/meeting_panel.html", takes_context=True)
def meeting_coaching(context, meeting, segments) -> dict[str, Any]:
    """Waveform markers, KPI summary, transcript with moments, comments and "not right" marks."""
    request = context["request"]
    user = request.user
    labels = _behaviour_labels()
    moments = [
        {
            "id": m.pk,
            "behaviour_key": m.behaviour_key,
            "turn_index": m.turn_index,
            "char_start": m.char_start,
            "char_end": m.char_end,
            "time": m.time,
            "text": m.text,
            "label": labels.get(m.behaviour_key, (m.behaviour_key, "#475569"))[0],
            "colour": labels.get(m.behaviour_key, ("", "#475569"))[1],
            "source": m.source,
            "score": m.score,
        }
        for m in sorted(
            moments_for_meeting(meeting),
            key=lambda m: _PRIORITY.index(m.behaviour_key) if m.behaviour_key in _PRIORITY else 9,
        )
    ]
    segment_rows = [
        {"index": s.index, "start": s.start, "end": s.end, "text": s.text, "speaker": s.speaker}
        for s in segments
    ]
    lines = transcript_lines(segment_rows, moments)
    for line in lines:
        line.moments.sort(key=lambda m: (m["time"], m["char_start"]))
    comments = comment_list_for_meeting(meeting)
    by_line: dict[int, list] = {}
    for c in comments:
        if c.segment_index is not None:
            by_line.setdefault(c.segment_index, []).append(c)
    for line in lines:
        line.comments = by_line.get(line.index, [])
    score = MeetingScore.objects.filter(meeting=meeting).first()
    targets = targets_for_rep(meeting.owner)
    summary = [
        {"kpi": k, "value": getattr(score, k.key) if score else None, "target": targets.get(k.key)}
        for k in KPIS
    ]
    markers = sorted(
        (
            {"id": m["id"], "time": m["time"], "colour": m["colour"], "label": m["label"]}
            for ln in lines
            for m in ln.moments
        ),
        key=lambda m: m["time"],
    )
    is_owner = meeting.owner_id == user.pk
    return {
        "request": request,
        "meeting": meeting,
        "lines": lines,
        "score": score,
        "summary": summary,
        "markers": markers,
        "legend": [(k, *labels[k]) for k in BEHAVIOURS],
        "comments": comments,
        "comment_form": CommentForm(),
        "flagged_ids": moment_feedback_flagged_ids(meeting=meeting, user=user) if is_owner else set(),
        "can_flag": is_owner,
        "csrf_token": context.get("csrf_token"),
        "moment_count": len(moments),
    }


@register.filter
def get_attr(obj: Any, name: str) -> Any:
    return getattr(obj, name, None)


@register.simple_tag
def query_with(request, **changes: Any) -> str:
    """The current query string with some parameters replaced."""
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def sort_url(request, sort: str) -> str:
    query = request.GET.copy()
    query["sort"] = sort
    query.pop("page", None)
    return query.urlencode()


@register.inclusion_tag("coaching/rules_version.html")
def rules_version_note() -> dict[str, Any]:
    """Which published rule set the numbers on a page come from (and a rescore in progress)."""
    version, job = rules_version_status()
    return {"version": version, "job": job}


@register.simple_tag
def won_lost_bars(won: float | None, lost: float | None, width: int = 120, height: int = 22) -> str:
    """Two inline bars on one scale: won meetings' mean (top) and lost meetings' (bottom)."""
    top = max(abs(v) for v in (won, lost, 0.0) if v is not None) or 1.0
    bars = []
    for i, (value, tone) in enumerate(((won, "won"), (lost, "lost"))):
        if value is not None:
            w = max(1.0, (width - 2) * abs(value) / top)
            bars.append(
                f'<rect class="bar-{tone}" x="1" y="{2 + i * 10}" width="{w:.1f}" height="8" rx="2"/>'
            )
    return format_html(
        '<svg class="won-lost" width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true">{}</svg>',
        width,
        height,
        width,
        height,
        mark_safe("".join(bars)),
    )
