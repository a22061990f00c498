"""Retention: recordings and transcripts older than their team's periods are removed.

Expiring a recording deletes the upload and every file derived from it (16 kHz decode, waveform
peaks); transcript, moments and scores stay. Expiring a transcript deletes its segments, chunk
results, token cache and the text of its moments (and of "not right" marks, which copy it),
plus the recording; the moments' counts and times and the meeting's KPIs (MeetingScore) stay,
so trends and team pages are unchanged. Ages count from the upload (Meeting.created_at).
Meetings still being processed are left alone until they finish.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from privacy import services
from privacy.models import ErasureLog, MeetingRedaction, TeamPolicy

logger = logging.getLogger(__name__)

REASON_AUDIO = "retention: recordings kept %d days"
REASON_TRANSCRIPT = "retention: transcripts kept %d days"


@dataclass
class RetentionReport:
    audio_removed: list[int] = field(default_factory=list)  # meeting ids
    transcripts_removed: list[int] = field(default_factory=list)
    files_removed: int = 0


def _finished():
    from meetings.models import Meeting

    return [Meeting.Status.DONE, Meeting.Status.FAILED, Meeting.Status.MAPPING]


def audio_due(policy: TeamPolicy, now: datetime.datetime) -> QuerySet:
    from meetings.models import Meeting

    days = policy.effective_audio_days
    if days is None:
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(team_id=policy.team_id, status__in=_finished())
        .filter(created_at__lt=now - datetime.timedelta(days=days))
        .exclude(audio="")
    )


def transcripts_due(policy: TeamPolicy, now: datetime.datetime) -> QuerySet:
    from meetings.models import Meeting

    if policy.transcript_days is None:
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(team_id=policy.team_id, status__in=_finished())
        .filter(created_at__lt=now - datetime.timedelta(days=policy.transcript_days))
        .filter(Q(redaction__isnull=True) | Q(redaction__transcript_removed_at__isnull=True))
    )


def meeting_audio_expire(*, meeting, now: datetime.datetime, reason: str) -> int:
    """Delete the recording and its derived files; the meeting keeps its transcript and KPIs."""
    from meetings.models import Meeting

    files = services.meeting_files(meeting)
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(audio="", updated_at=now)
        MeetingRedaction.objects.update_or_create(meeting=meeting, defaults={"audio_removed_at": now})
        services.audit_record(
            action=ErasureLog.Action.AUDIO_EXPIRED,
            reason=reason,
            meeting=meeting,
            counts={"files": len(files)},
        )
        services.files_remove_on_commit(files, [services.meeting_folder(meeting)])
    meeting.audio.name = ""
    return len(files)


def meeting_transcript_expire(*, meeting, now: datetime.datetime, reason: str) -> int:
    """Delete the transcript and its copies, and the recording; moments (without text) and the
    meeting's KPIs stay. Returns how many files went."""
    from coaching.models import MeetingTokens, Moment
    from reviews.models import MomentFeedback

    files_removed = meeting_audio_expire(meeting=meeting, now=now, reason=reason) if meeting.audio else 0
    with transaction.atomic():
        segments = meeting.segments.all().delete()[0]
        meeting.chunks.all().delete()
        MeetingTokens.objects.filter(meeting=meeting).delete()
        moments = Moment.objects.filter(meeting=meeting).update(text="")
        MomentFeedback.objects.filter(meeting=meeting).update(text="")
        redaction, _ = MeetingRedaction.objects.get_or_create(meeting=meeting)
        redaction.transcript_removed_at = now
        redaction.save(update_fields=["transcript_removed_at"])
        services.audit_record(
            action=ErasureLog.Action.TRANSCRIPT_EXPIRED,
            reason=reason,
            meeting=meeting,
            counts={"segments": segments, "moments_blanked": moments},
        )
    return files_removed


def retention_apply(*, now: datetime.datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Apply every team's policy as of `now`. Idempotent: what was removed is not found again.
    With dry_run, report what would go and change nothing."""
    now = now or timezone.now()
    report = RetentionReport()
    for policy in TeamPolicy.objects.all():
        for meeting in transcripts_due(policy, now).iterator():
            report.transcripts_removed.append(meeting.pk)
            if dry_run:
                report.files_removed += len(services.meeting_files(meeting))
            else:
                assert policy.transcript_days is not None
                report.files_removed += meeting_transcript_expire(
                    meeting=meeting, now=now, reason=REASON_TRANSCRIPT % policy.transcript_days
                )
        for meeting in audio_due(policy, now).iterator():
            if meeting.pk in report.transcripts_removed:
                continue  # the transcript's removal took the recording with it
            report.audio_removed.append(meeting.pk)
            if dry_run:
                report.files_removed += len(services.meeting_files(meeting))
            else:
                days = policy.effective_audio_days
                report.files_removed += meeting_audio_expire(
                    meeting=meeting, now=now, reason=REASON_AUDIO % (days or 0)
                )
    if not dry_run and (report.audio_removed or report.transcripts_removed):
        logger.info(
            "retention removed %d recordings and %d transcripts (%d files)",
            len(report.audio_removed),
            len(report.transcripts_removed),
            report.files_removed,
        )
    return report
