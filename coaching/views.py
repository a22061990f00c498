"""Thin views for trends, the team table, targets, exports and the meeting waveform."""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coaching import behaviour_trends, outcomes, trends
from coaching.forms import MeetingFilterForm, RangeForm, TargetForm
from coaching.waveform import peaks_cached, peaks_name
from meetings.models import Meeting
from meetings.selectors import meeting_get_for_user
from meetings.services import derived_audio_name
from reviews import selectors as review_selectors
from reviews import services as review_services

PAGE_SIZE = 25


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        raise Http404 from None


def _range(request, default_period: str = "week") -> tuple[RangeForm, str, datetime.date, datetime.date]:
    form = RangeForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("period") or default_period
    start, end = trends.default_range(period)
    start, end = data.get("start") or start, data.get("end") or end
    if start > end:
        start, end = end, start
    return form, period, start, end


def _period_label(period: str, day: datetime.date) -> str:
    return formats.date_format(day, "YEAR_MONTH_FORMAT" if period == "month" else "MONTH_DAY_FORMAT")


def _chart_data(trend: trends.Trend) -> list[dict[str, Any]]:
    """What Chart.js draws: per KPI the rep's values, the team median and the target line."""
    labels = [_period_label(trend.period, p.start) for p in trend.points]

    def scale(kpi: trends.Kpi, value: float | None) -> float | None:
        if value is None:
            return None
        return round(value * 100, 1) if kpi.unit == "share" else round(value, 2)

    return [
        {
            "key": kpi.key,
            "label": str(kpi.label),
            "unit": kpi.unit,
            "labels": labels,
            "values": [scale(kpi, p.values.get(kpi.key)) for p in trend.points],
            "median": [scale(kpi, p.team_median.get(kpi.key)) for p in trend.points],
            "target": scale(kpi, trend.targets.get(kpi.key)),
        }
        for kpi in trends.KPIS
    ]


def _meeting_page(request, rep) -> tuple[MeetingFilterForm, Page[Meeting], trends.MeetingFilter]:
    form = MeetingFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = trends.MeetingFilter(
        start=data.get("mfrom"),
        end=data.get("mto"),
        customer=data.get("customer", ""),
        status=data.get("status", ""),
        sort=data.get("sort") or "-date",
    )
    rows = trends.meeting_table(viewer=request.user, rep=rep, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return form, page, filters


@login_required
@require_GET
def trend_page(request):
    rep = trends.rep_get_for_user(request.user, _int(request.GET.get("rep")))
    form, period, start, end = _range(request)
    trend = trends.rep_trend(
        viewer=request.user,
        rep=rep,
        period=period,
        start=start,
        end=end,
        targets=review_selectors.targets_for_rep(rep),
    )
    filter_form, page, filters = _meeting_page(request, rep)
    return render(
        request,
        "coaching/trends.html",
        {
            "rep": rep,
            "trend": trend,
            "form": form,
            "charts": _chart_data(trend)
            + behaviour_trends.custom_behaviour_charts(
                viewer=request.user,
                rep=rep,
                period=period,
                start=start,
                end=end,
                labels=[_period_label(period, p.start) for p in trend.points],
            ),
            "kpis": trends.KPIS,
            "filter_form": filter_form,
            "page": page,
            "filters": filters,
        },
    )


@login_required
@require_GET
def trend_meetings(request):
    rep = trends.rep_get_for_user(request.user, _int(request.GET.get("rep")))
    filter_form, page, filters = _meeting_page(request, rep)
    return render(
        request,
        "coaching/trends.html#meetings",
        {"rep": rep, "kpis": trends.KPIS, "filter_form": filter_form, "page": page, "filters": filters},
    )


def _team_context(request) -> dict[str, Any]:
    team = trends.team_get_for_user(request.user, _int(request.GET.get("team")))
    form, _period, start, end = _range(request)
    table = trends.team_table(
        viewer=request.user,
        team=team,
        start=start,
        end=end,
        targets=review_selectors.targets_for_team(team),
    )
    return {"team": team, "table": table, "form": form, "kpis": trends.KPIS}


@login_required
@require_GET
def team_page(request):
    context = _team_context(request)
    context["teams"] = review_selectors.team_list_for_user(request.user)
    table = context["table"]
    context["outcomes"] = outcomes.won_lost_comparison(
        viewer=request.user, team=context["team"], start=table.start, end=table.end
    )
    return render(request, "coaching/team.html", context)


def _csv_number(kpi: trends.Kpi | None, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return (
            f"{value:.4f}".rstrip("0").rstrip(".") if kpi is None or kpi.unit != "count" else f"{value:.2f}"
        )
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def team_csv(request):
    context = _team_context(request)
    table = context["table"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"team-{table.team.pk}-{table.start.isoformat()}-{table.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so spreadsheet programs read the Japanese names as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        ["rep", "name", "meetings", *trends.KPI_KEYS, "flag_premature_rising", "flag_listening_dropping"]
    )
    for row in table.rows:
        writer.writerow(
            [
                row.rep.username,
                row.rep.get_full_name(),
                row.meetings,
                *(_csv_number(trends.KPI_BY_KEY[k], row.values[k]) for k in trends.KPI_KEYS),
                int(row.premature_rising),
                int(row.listening_dropping),
            ]
        )
    return response


@login_required
@require_GET
def meetings_csv(request):
    team_id, rep_id = _int(request.GET.get("team")), _int(request.GET.get("rep"))
    team = trends.team_get_for_user(request.user, team_id) if team_id else None
    rep = None if team else trends.rep_get_for_user(request.user, rep_id)
    form = RangeForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = trends.meeting_kpi_rows(
        viewer=request.user, rep=rep, team=team, start=data.get("start"), end=data.get("end")
    )
    header = [
        "meeting_id",
        "date",
        "title",
        "customer",
        "rep",
        "outcome",
        "duration_seconds",
        *trends.KPI_KEYS,
    ]

    def lines():
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(header)
        for r in rows:
            yield writer.writerow(
                [
                    r["id"],
                    r["held_on"].isoformat(),
                    r["title"],
                    r["customer_name"],
                    r["owner__username"],
                    r["outcome"],
                    _csv_number(None, r["duration_seconds"]),
                    *(_csv_number(trends.KPI_BY_KEY[k], r[f"score__{k}"]) for k in trends.KPI_KEYS),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="meetings-kpis.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def targets_page(request):
    team = trends.team_get_for_user(request.user, _int(request.GET.get("team") or request.POST.get("team")))
    if request.method == "POST":
        form = TargetForm(request.POST)
        if form.is_valid():
            rep = None
            if form.cleaned_data["rep"]:
                rep = review_selectors.reps_of_team(team).filter(user_id=form.cleaned_data["rep"]).first()
                if rep is None:
                    raise Http404
                rep = rep.user
            try:
                review_services.target_set(
                    actor=request.user,
                    team=team,
                    kpi=form.cleaned_data["kpi"],
                    value=form.cleaned_data["value"],
                    rep=rep,
                )
            except (PermissionDenied, ValidationError):
                raise Http404 from None
            messages.success(request, _("Target saved."))
        else:
            messages.error(request, _("Enter a number of zero or more."))
        return redirect(reverse("coaching:targets") + f"?team={team.pk}")
    team_targets = review_selectors.targets_for_team(team)
    rep_targets = review_selectors.rep_targets_for_team(team)
    reps = list(review_selectors.reps_of_team(team))
    return render(
        request,
        "coaching/targets.html",
        {
            "team": team,
            "kpis": trends.KPIS,
            "team_targets": team_targets,
            "reps": [(p.user, rep_targets.get(p.user_id, {})) for p in reps],
            "teams": review_selectors.team_list_for_user(request.user),
        },
    )


@login_required
@require_GET
def meeting_peaks(request, meeting_id: int):
    """Waveform peaks of a meeting's recording (access-checked like the audio itself)."""
    meeting = meeting_get_for_user(request.user, meeting_id)
    data = peaks_cached(derived_audio_name(meeting), peaks_name(meeting.audio_dir))
    response = JsonResponse(data or {"peaks": None, "duration": meeting.duration_seconds})
    response["Cache-Control"] = "private, max-age=3600"
    return response
