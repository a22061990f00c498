"""Writes for reviews: comments (with their notifications), targets and "not right" feedback."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Team
from reviews.models import Comment, MomentFeedback, Notification, Target
from reviews.selectors import team_can_manage


@transaction.atomic
def comment_create(
    *,
    author: Any,
    meeting: Any,
    body: str,
    segment_index: int | None = None,
    moment: Any = None,
) -> Comment:
    """Store a comment and notify the meeting's rep and everyone else in the thread."""
    body = (body or "").strip()
    if moment is not None and moment.meeting_id != meeting.pk:
        raise ValidationError("The moment belongs to another meeting.")
    time = None
    if moment is not None:
        time = moment.time
    elif segment_index is not None:
        segment = meeting.segments.filter(index=segment_index).only("start").first()
        if segment is None:
            raise ValidationError("No such line in this meeting.")
        time = segment.start
    comment = Comment(
        meeting=meeting,
        author=author,
        body=body,
        segment_index=segment_index,
        moment=moment,
        time=time,
        behaviour_key=getattr(moment, "behaviour_key", ""),
    )
    comment.full_clean()
    comment.save()
    earlier = set(
        Comment.objects.filter(meeting=meeting).exclude(pk=comment.pk).values_list("author_id", flat=True)
    )
    recipients = ({meeting.owner_id} | earlier) - {author.pk}
    Notification.objects.bulk_create(
        Notification(recipient_id=r, comment=comment) for r in sorted(recipients)
    )
    return comment


def notification_mark_read(*, user: Any) -> int:
    """Mark all of the user's notifications read; returns how many were unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def target_set(*, actor: Any, team: Team, kpi: str, value: float | None, rep: Any = None) -> Target | None:
    """Set (or, with value None, clear) a team target or one rep's override."""
    if not team_can_manage(actor, team):
        raise PermissionDenied
    if rep is not None and getattr(getattr(rep, "profile", None), "team_id", None) != team.pk:
        raise ValidationError("That rep is not on this team.")
    rows = Target.objects.filter(team=team, kpi=kpi, rep=rep)
    if value is None:
        rows.delete()
        return None
    target = rows.first() or Target(team=team, kpi=kpi, rep=rep)
    target.value = float(value)
    target.updated_by = actor
    target.full_clean(validate_constraints=False)
    target.save()
    return target


@transaction.atomic
def moment_feedback_toggle(*, user: Any, meeting: Any, moment: Any, note: str = "") -> bool:
    """Mark a moment "not right" (or take the mark back). Only the meeting's rep may. True if marked."""
    if meeting.owner_id != user.pk:
        raise PermissionDenied
    if moment.meeting_id != meeting.pk:
        raise ValidationError("The moment belongs to another meeting.")
    existing = MomentFeedback.objects.filter(moment=moment, user=user)
    if existing.exists():
        existing.delete()
        return False
    feedback = MomentFeedback(
        meeting=meeting,
        moment=moment,
        user=user,
        behaviour_key=moment.behaviour_key,
        rule_key=moment.rule_key,
        text=moment.text[:500],
        language=meeting.effective_language,
        note=note[:500],
    )
    feedback.full_clean(validate_constraints=False)
    feedback.save()
    return True
