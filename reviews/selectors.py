"""Reads for reviews, scoped to what the asking user may see.

Callers pass a meeting they already loaded through meetings.selectors.meeting_get_for_user, or a
user whose own rows are read; nothing here takes a bare id from a request.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import Profile, Team
from reviews.models import Comment, MomentFeedback, Notification, Target


def team_can_manage(user: Any, team: Team | None) -> bool:
    """Admins manage every team; a manager manages their own."""
    if team is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    profile = getattr(user, "profile", None)
    return bool(profile is not None and profile.is_manager and profile.team_id == team.pk)


def team_list_for_user(user: Any) -> QuerySet[Team]:
    """Teams whose table and targets the user may open."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.is_staff:
        return Team.objects.all()
    profile = getattr(user, "profile", None)
    if profile is not None and profile.is_manager and profile.team_id:
        return Team.objects.filter(pk=profile.team_id)
    return Team.objects.none()


def comment_list_for_meeting(meeting: Any) -> list[Comment]:
    return list(Comment.objects.filter(meeting=meeting).select_related("author").order_by("created_at", "id"))


def notification_list_for_user(user: Any, *, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user)
        .select_related("comment__author", "comment__meeting")
        .order_by("-created_at", "-id")[:limit]
    )


def notification_unread_count(user: Any) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def targets_for_team(team: Team | None) -> dict[str, float]:
    if team is None:
        return {}
    return dict(Target.objects.filter(team=team, rep__isnull=True).values_list("kpi", "value"))


def targets_for_rep(rep: Any) -> dict[str, float]:
    """The rep's own targets over the team's: what their trend charts draw as the goal line."""
    team_id = getattr(getattr(rep, "profile", None), "team_id", None)
    if not team_id:
        return {}
    team_rows = Target.objects.filter(team_id=team_id, rep__isnull=True).values_list("kpi", "value")
    rep_rows = Target.objects.filter(team_id=team_id, rep=rep).values_list("kpi", "value")
    return {**dict(team_rows), **dict(rep_rows)}


def rep_targets_for_team(team: Team) -> dict[int, dict[str, float]]:
    """Per-rep overrides of a team: {rep id: {kpi: value}}."""
    out: dict[int, dict[str, float]] = {}
    for rep_id, kpi, value in Target.objects.filter(team=team, rep__isnull=False).values_list(
        "rep_id", "kpi", "value"
    ):
        out.setdefault(rep_id, {})[kpi] = value
    return out


def reps_of_team(team: Team) -> QuerySet:
    return (
        Profile.objects.filter(team=team, role=Profile.Role.REP)
        .select_related("user")
        .order_by("user__username")
    )


def moment_feedback_flagged_ids(*, meeting: Any, user: Any) -> set[int]:
    """Ids of the meeting's moments this user marked "not right"."""
    return set(
        MomentFeedback.objects.filter(meeting=meeting, user=user, moment__isnull=False).values_list(
            "moment_id", flat=True
        )
    )


def moment_feedback_list_for_admin(
    user: Any, *, behaviour_key: str = "", rule_key: str = ""
) -> QuerySet[MomentFeedback]:
    """Every "not right" mark, newest first, for whoever tunes the rules (admins only)."""
    if not (user.is_authenticated and user.is_staff):
        return MomentFeedback.objects.none()
    rows = MomentFeedback.objects.select_related("meeting", "user")
    if behaviour_key:
        rows = rows.filter(behaviour_key=behaviour_key)
    if rule_key:
        rows = rows.filter(rule_key=rule_key)
    return rows.order_by("-created_at", "-id")
