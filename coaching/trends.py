"""Reads behind the trend, team and meeting-table pages: aggregates of MeetingScore in SQL.

Every function takes the viewing user and starts from meetings.selectors.meeting_list_for_user,
so a page can only aggregate meetings its viewer may open. The one exception is the team median
(`_team_scored`), an aggregate a rep may compare against without seeing teammates' meetings.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Case, Count, F, FloatField, Q, QuerySet, When
from django.db.models.functions import TruncMonth, TruncWeek
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile, Team
from meetings.models import Meeting
from meetings.selectors import meeting_list_for_user


@dataclass(frozen=True)
class Kpi:
    key: str  # the MeetingScore column
    label: Any
    unit: str  # "count" (per meeting), "rate", "share" (0..1), "seconds"
    better: str  # "up", "down" or "" (no direction)
    short: Any = ""


KPIS: tuple[Kpi, ...] = (
    Kpi("asks", _("Customer asks"), "count", "up", _("Asks")),
    Kpi(
        "affirmations_per_customer_minute",
        _("Affirmations per customer-minute"),
        "rate",
        "up",
        _("Affirm./min"),
    ),
    Kpi("case_studies", _("Case studies"), "count", "up", _("Cases")),
    Kpi(
        "listening_window_customer_share",
        _("Listening-window share"),
        "share",
        "up",
        _("Listening"),
    ),
    Kpi("premature_proposals", _("Premature proposals"), "count", "down", _("Premature")),
    Kpi("ask_to_proposal_latency_median", _("Ask → proposal latency"), "seconds", "", _("Latency")),
    Kpi("rep_talk_share", _("Rep talk share"), "share", "down", _("Talk share")),
)
KPI_KEYS = tuple(k.key for k in KPIS)
KPI_BY_KEY = {k.key: k for k in KPIS}

PERIODS = ("week", "month")
# A rep is flagged when the second half of the period differs from the first by at least this
# much, with at least FLAG_MIN_MEETINGS meetings in each half.
FLAG_PREMATURE_RISE = 0.5  # premature proposals per meeting
FLAG_LISTENING_DROP = 0.05  # listening-window share (5 points)
FLAG_MIN_MEETINGS = 2
SORTS = {
    "date": ("held_on", "created_at"),
    "title": ("title",),
    "customer": ("customer_name",),
    "status": ("status",),
    **{k: (f"score__{k}",) for k in KPI_KEYS},
}


# ── scope ────────────────────────────────────────────────────────────────────────────────────


def rep_get_for_user(viewer: Any, rep_id: int | None) -> Any:
    """The rep whose trends the viewer asked for (themselves by default), or 404."""
    if not viewer.is_authenticated:
        raise Http404
    if rep_id is None or rep_id == viewer.pk:
        return viewer
    users = get_user_model().objects.select_related("profile")
    if viewer.is_staff:
        rep = users.filter(pk=rep_id).first()
    else:
        profile = getattr(viewer, "profile", None)
        if profile is None or not profile.is_manager or not profile.team_id:
            raise Http404
        rep = users.filter(pk=rep_id, profile__team_id=profile.team_id).first()
    if rep is None:
        raise Http404
    return rep


def team_get_for_user(viewer: Any, team_id: int | None) -> Team:
    """The team a manager manages (admins: any team, the first by default), or 404."""
    if not viewer.is_authenticated:
        raise Http404
    if viewer.is_staff:
        teams = Team.objects.order_by("name")
        team = teams.filter(pk=team_id).first() if team_id else teams.first()
    else:
        profile = getattr(viewer, "profile", None)
        if profile is None or not profile.is_manager or not profile.team_id:
            raise Http404
        team = Team.objects.filter(pk=profile.team_id).first()
        if team_id and team is not None and team.pk != team_id:
            raise Http404
    if team is None:
        raise Http404
    return team


def _scored(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.filter(status=Meeting.Status.DONE, score__isnull=False)


def _team_scored(team_id: int) -> QuerySet[Meeting]:
    return _scored(Meeting.objects.filter(owner__profile__team_id=team_id))


def period_trunc(period: str, field: str = "held_on") -> Any:
    """The week (Monday) or month a meeting's date falls in, in SQL."""
    return TruncWeek(field) if period == "week" else TruncMonth(field)


def _kpi_averages(prefix: str = "score__") -> dict[str, Any]:
    return {k: Avg(f"{prefix}{k}") for k in KPI_KEYS}


def period_starts(period: str, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Every week (Monday) or month (1st) touching [start, end], in order."""
    if period == "week":
        first = start - datetime.timedelta(days=start.weekday())
        out = []
        while first <= end:
            out.append(first)
            first += datetime.timedelta(days=7)
        return out
    first = start.replace(day=1)
    out = []
    while first <= end:
        out.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    return out


def as_date(value: Any) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def default_range(period: str, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    if period == "month":
        return (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1), today
    return today - datetime.timedelta(weeks=12), today


# ── rep trend ────────────────────────────────────────────────────────────────────────────────


@dataclass
class TrendPoint:
    start: datetime.date
    meetings: int = 0
    values: dict[str, float | None] = field(default_factory=dict)
    team_median: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Trend:
    rep: Any
    period: str
    start: datetime.date
    end: datetime.date
    points: list[TrendPoint]
    targets: dict[str, float]
    overall: dict[str, float | None]
    meetings: int


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def team_median(
    *, team_id: int | None, period: str, start: datetime.date, end: datetime.date
) -> dict[datetime.date, dict[str, float | None]]:
    """Per period, the median over the team's reps of each rep's average (one GROUP BY in SQL)."""
    if not team_id:
        return {}
    rows = (
        _team_scored(team_id)
        .filter(held_on__range=(start, end))
        .annotate(p=period_trunc(period))
        .values("p", "owner_id")
        .annotate(**_kpi_averages())
        .order_by()
    )
    per_period: dict[datetime.date, list[Mapping[str, Any]]] = {}
    for row in rows:
        per_period.setdefault(as_date(row["p"]), []).append(row)
    return {p: {k: _median(r[k] for r in reps) for k in KPI_KEYS} for p, reps in per_period.items()}


def rep_trend(
    *, viewer: Any, rep: Any, period: str, start: datetime.date, end: datetime.date, targets: dict[str, float]
) -> Trend:
    """Each KPI per week or month for one rep, with the team median beside it."""
    if period not in PERIODS:
        raise ValueError(period)
    mine = _scored(meeting_list_for_user(viewer).filter(owner=rep, held_on__range=(start, end)))
    rows: dict[datetime.date, Mapping[str, Any]] = {
        as_date(r["p"]): r
        for r in mine.annotate(p=period_trunc(period))
        .values("p")
        .annotate(n=Count("id"), **_kpi_averages())
        .order_by()
    }
    overall = mine.aggregate(n=Count("id"), **_kpi_averages())
    team_id = getattr(getattr(rep, "profile", None), "team_id", None)
    medians = team_median(team_id=team_id, period=period, start=start, end=end)
    points = []
    for p in period_starts(period, start, end):
        row = rows.get(p, {})
        points.append(
            TrendPoint(
                start=p,
                meetings=row.get("n", 0),
                values={k: row.get(k) for k in KPI_KEYS},
                team_median=medians.get(p, {}),
            )
        )
    return Trend(
        rep=rep,
        period=period,
        start=start,
        end=end,
        points=points,
        targets=targets,
        overall={k: overall[k] for k in KPI_KEYS},
        meetings=overall["n"],
    )


# ── team table ───────────────────────────────────────────────────────────────────────────────


@dataclass
class TeamRow:
    rep: Any
    meetings: int
    values: dict[str, float | None]
    spark: dict[str, list[float | None]]
    premature_rising: bool = False
    listening_dropping: bool = False

    @property
    def flagged(self) -> bool:
        return self.premature_rising or self.listening_dropping


@dataclass
class TeamTable:
    team: Team
    start: datetime.date
    end: datetime.date
    spark_period: str
    rows: list[TeamRow]
    median: dict[str, float | None]
    targets: dict[str, float]


def _halves(start: datetime.date, end: datetime.date) -> datetime.date:
    return start + (end - start) / 2


def team_table(
    *, viewer: Any, team: Team, start: datetime.date, end: datetime.date, targets: dict[str, float]
) -> TeamTable:
    """One row per rep of the team: KPI averages over [start, end], a sparkline, and flags.

    Three queries whatever the team's size: the reps, the per-rep averages (with first/second
    half figures for the flags), the per-rep per-period averages for the sparklines.
    """
    reps = list(
        Profile.objects.filter(team=team, role=Profile.Role.REP)
        .select_related("user")
        .order_by("user__first_name", "user__username")
    )
    scope = _scored(
        meeting_list_for_user(viewer).filter(owner__profile__team=team, held_on__range=(start, end))
    )
    mid = _halves(start, end)
    first, second = Q(held_on__lt=mid), Q(held_on__gte=mid)

    def half(q: Q, column: str) -> Avg:
        return Avg(Case(When(q, then=F(f"score__{column}")), output_field=FloatField()))

    stats: dict[int, Mapping[str, Any]] = {
        r["owner_id"]: r
        for r in scope.values("owner_id")
        .annotate(
            n=Count("id"),
            n1=Count("id", filter=first),
            n2=Count("id", filter=second),
            pp1=half(first, "premature_proposals"),
            pp2=half(second, "premature_proposals"),
            ls1=half(first, "listening_window_customer_share"),
            ls2=half(second, "listening_window_customer_share"),
            **_kpi_averages(),
        )
        .order_by()
    }
    spark_period = "week" if (end - start).days <= 183 else "month"
    periods = period_starts(spark_period, start, end)
    spark_rows: dict[int, dict[datetime.date, Mapping[str, Any]]] = {}
    for r in (
        scope.annotate(p=period_trunc(spark_period))
        .values("owner_id", "p")
        .annotate(**_kpi_averages())
        .order_by()
    ):
        spark_rows.setdefault(r["owner_id"], {})[as_date(r["p"])] = r
    rows = []
    for profile in reps:
        s = stats.get(profile.user_id, {})
        per = spark_rows.get(profile.user_id, {})
        row = TeamRow(
            rep=profile.user,
            meetings=s.get("n", 0),
            values={k: s.get(k) for k in KPI_KEYS},
            spark={k: [per.get(p, {}).get(k) for p in periods] for k in KPI_KEYS},
        )
        enough = s.get("n1", 0) >= FLAG_MIN_MEETINGS and s.get("n2", 0) >= FLAG_MIN_MEETINGS
        if enough and s["pp1"] is not None and s["pp2"] is not None:
            row.premature_rising = s["pp2"] - s["pp1"] >= FLAG_PREMATURE_RISE
        if enough and s["ls1"] is not None and s["ls2"] is not None:
            row.listening_dropping = s["ls1"] - s["ls2"] >= FLAG_LISTENING_DROP
        rows.append(row)
    median = {k: _median(r.values[k] for r in rows if r.meetings) for k in KPI_KEYS}
    return TeamTable(team, start, end, spark_period, rows, median, targets)


# ── meeting table ────────────────────────────────────────────────────────────────────────────


@dataclass
class MeetingFilter:
    start: datetime.date | None = None
    end: datetime.date | None = None
    customer: str = ""
    status: str = ""
    sort: str = "-date"


def meeting_table(*, viewer: Any, rep: Any | None, filters: MeetingFilter) -> QuerySet[Meeting]:
    """The viewer's meetings (one rep's, or all they may see) with their scores, filtered and sorted."""
    meetings = meeting_list_for_user(viewer).select_related("score")
    if rep is not None:
        meetings = meetings.filter(owner=rep)
    if filters.start:
        meetings = meetings.filter(held_on__gte=filters.start)
    if filters.end:
        meetings = meetings.filter(held_on__lte=filters.end)
    if filters.customer:
        meetings = meetings.filter(customer_name__icontains=filters.customer)
    if filters.status:
        meetings = meetings.filter(status=filters.status)
    key = filters.sort.lstrip("-")
    columns = SORTS.get(key, SORTS["date"])
    descending = filters.sort.startswith("-")
    order = [F(c).desc(nulls_last=True) if descending else F(c).asc(nulls_last=True) for c in columns]
    return meetings.order_by(*order, "-id")


def meeting_kpi_rows(
    *, viewer: Any, rep: Any | None, team: Team | None, start, end
) -> Iterable[dict[str, Any]]:
    """Per-meeting KPI rows for the CSV export, streamed from the database."""
    meetings = meeting_list_for_user(viewer)
    if rep is not None:
        meetings = meetings.filter(owner=rep)
    if team is not None:
        meetings = meetings.filter(owner__profile__team=team)
    if start:
        meetings = meetings.filter(held_on__gte=start)
    if end:
        meetings = meetings.filter(held_on__lte=end)
    return (
        _scored(meetings)
        .order_by("held_on", "id")
        .values(
            "id",
            "held_on",
            "title",
            "customer_name",
            "owner__username",
            "duration_seconds",
            "outcome",
            *(f"score__{k}" for k in KPI_KEYS),
        )
        .iterator(chunk_size=2000)
    )
