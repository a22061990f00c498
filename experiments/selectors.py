"""Reads of experiments, scoped to who may see them: the team's manager and admins see the
team's experiments, a rep those they are in (read-only), anyone else gets 404.

The analysis reads the participants' meeting scores and deal outcomes directly rather than
through meetings.selectors.meeting_list_for_user: a rep in the experiment may open it, and
the page must show that rep the same group numbers the manager sees. What leaves this module
for such a rep is group aggregates only (the views show per-rep rows to managers and admins).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet
from django.http import Http404

from accounts.models import Profile, Team
from experiments.engine import CONDITIONS, RepData
from experiments.models import Experiment, ExperimentArm


def _managed_team_id(user: Any) -> int | None:
    profile = getattr(user, "profile", None)
    return profile.team_id if profile is not None and profile.is_manager and profile.team_id else None


def can_manage_team(user: Any, team: Any) -> bool:
    return bool(user.is_authenticated and (user.is_staff or _managed_team_id(user) == team.pk))


def team_reps(team: Any) -> QuerySet[Any]:
    """The team's reps (not its managers): who an experiment draws its groups from."""
    return (
        get_user_model()
        .objects.filter(profile__team=team, profile__role=Profile.Role.REP, is_active=True)
        .order_by("username")
    )


def teams_for_admin(user: Any) -> QuerySet[Team]:
    return Team.objects.order_by("name") if user.is_staff else Team.objects.none()


def experiment_list_for_user(user: Any) -> QuerySet[Experiment]:
    experiments = Experiment.objects.select_related("team")
    if not user.is_authenticated:
        return experiments.none()
    if user.is_staff:
        return experiments.all()
    team_id = _managed_team_id(user)
    mine = Q(arms__rep=user)
    return experiments.filter(mine | Q(team_id=team_id) if team_id else mine).distinct()


def experiment_get_for_user(user: Any, experiment_id: int) -> Experiment:
    experiment = experiment_list_for_user(user).filter(pk=experiment_id).first()
    if experiment is None:
        raise Http404("No such experiment.")
    return experiment


def experiment_can_manage(user: Any, experiment: Experiment) -> bool:
    """Managers of the team and admins stop it and see each rep's numbers; reps only read."""
    return can_manage_team(user, experiment.team)


def experiments_overlapping(team: Any, start: datetime.date, end: datetime.date) -> QuerySet[Experiment]:
    """The team's experiments whose period shares a day with start..end (stopped ones until the
    day before they were stopped)."""
    ran_then = Q(stopped_on__isnull=True) | (Q(stopped_on__gt=start) & Q(stopped_on__gt=F("start_on")))
    return Experiment.objects.filter(team=team, start_on__lte=end, end_on__gte=start).filter(ran_then)


def experiment_arms(experiment: Experiment) -> list[ExperimentArm]:
    return list(experiment.arms.select_related("rep"))


def experiment_rep_data(experiment: Experiment, today: datetime.date) -> tuple[list[RepData], str]:
    """Each rep's behaviour KPI per scored meeting and won/lost outcomes, in the period so far and
    in the baseline, as engine data; and where the outcomes came from ("deals" or "meetings").

    Outcomes are the rep's deals closed (won or lost) in the window that had a meeting in it;
    a team that records no deals falls back on the outcome recorded on each meeting."""
    from deals.models import Deal, DealMeeting
    from meetings.models import Meeting

    arms = {a.rep_id: a.arm for a in experiment.arms.all()}
    period = (experiment.start_on, min(experiment.last_day, today))
    baseline = experiment.baseline()
    kpi = CONDITIONS[experiment.behaviour].kpi
    values: dict[tuple[int, str], list[float | None]] = defaultdict(list)
    meeting_wins: dict[tuple[int, str], list[bool]] = defaultdict(list)

    def window(day: datetime.date) -> str | None:
        if period[0] <= day <= period[1]:
            return "period"
        return "baseline" if baseline[0] <= day <= baseline[1] else None

    scored = Meeting.objects.filter(
        owner_id__in=arms,
        status=Meeting.Status.DONE,
        score__isnull=False,
        held_on__range=(baseline[0], max(period[1], baseline[1])),
    )
    for owner, held_on, value, outcome in scored.order_by("owner_id", "held_on", "id").values_list(
        "owner_id", "held_on", f"score__{kpi}", "outcome"
    ):
        where = window(held_on)
        if where is None:
            continue
        values[owner, where].append(value)
        if outcome in (Meeting.Outcome.WON, Meeting.Outcome.LOST):
            meeting_wins[owner, where].append(outcome == Meeting.Outcome.WON)

    source = "deals" if Deal.objects.filter(owner_id__in=arms).exists() else "meetings"
    wins = meeting_wins
    if source == "deals":
        wins = defaultdict(list)
        for name, (first, last) in (("period", period), ("baseline", baseline)):
            # A subquery, not a join with DISTINCT: two deals of one rep with the same outcome
            # must both count.
            met_then = DealMeeting.objects.filter(meeting__held_on__range=(first, last)).values("deal_id")
            closed = Deal.objects.filter(
                owner_id__in=arms,
                outcome__in=(Deal.Outcome.WON, Deal.Outcome.LOST),
                closed_on__range=(first, last),
                pk__in=met_then,
            ).values_list("owner_id", "outcome")
            for owner, outcome in closed:
                wins[owner, name].append(outcome == Deal.Outcome.WON)
    reps = [
        RepData(
            rep,
            arm,
            period=tuple(values[rep, "period"]),
            baseline=tuple(values[rep, "baseline"]),
            period_wins=tuple(wins[rep, "period"]),
            baseline_wins=tuple(wins[rep, "baseline"]),
        )
        for rep, arm in sorted(arms.items())
    ]
    return reps, source
