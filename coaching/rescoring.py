"""Rescoring every stored meeting with a published version: the job's state lives on its row.

Idempotent and resumable: a batch scores only meetings not yet scored with the job's version, so
running a batch twice, or the whole job again, leaves the same rows. Batches beat on their job
(aizuchi.heartbeat); a running job silent for AIZUCHI_STUCK_AFTER_SECONDS lost a batch with its
worker and is started again (it queues what is still unscored), AIZUCHI_WORKER_MAX_ATTEMPTS
times in all before it fails with a message. A worker that starts also resumes every unfinished
job (coaching.tasks), which does not count as a restart.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from coaching.models import MeetingScore, MeetingTokens, RescoreJob

if TYPE_CHECKING:
    from coaching.services import ScoringRules

logger = logging.getLogger(__name__)

BATCH = int(os.environ.get("AIZUCHI_RESCORE_BATCH", "200"))  # meetings per task
_RULES: dict[tuple[int, int | None], ScoringRules] = {}  # per worker process: the job's rules

INTERRUPTED_MESSAGE = _(
    "Rescoring was interrupted several times (the workers doing it stopped). Meetings already "
    "rescored keep their new scores; restore this version on the versions page to rescore the rest."
)


def _job(job_id: int) -> RescoreJob | None:
    """The job, or None when it is gone or finished (cancelled by a newer publish, say)."""
    job = RescoreJob.objects.select_related("ruleset", "detector").filter(pk=job_id).first()
    return None if job is None or job.is_finished else job


def rescore_job_batches(*, job_id: int) -> list[list[int]]:
    """Mark the job running and split the meetings still to score into batches (none left:
    the job is done)."""
    job = _job(job_id)
    if job is None:
        return []
    now = timezone.now()
    RescoreJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    RescoreJob.objects.filter(pk=job_id).update(status=RescoreJob.Status.RUNNING, heartbeat_at=now)
    done = MeetingScore.objects.filter(rules_version=job.label).values("meeting_id")
    ids = list(
        MeetingTokens.objects.exclude(meeting_id__in=done)
        .order_by("meeting_id")
        .values_list("meeting_id", flat=True)
    )
    if not ids:
        rescore_job_progress(job=job)
    return [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]


def rescore_batch_score(*, job_id: int, meeting_ids: list[int]) -> None:
    """Score the meetings of one batch not yet scored with the job's version, then report."""
    from coaching.detector import detector_for
    from coaching.services import ScoringRules, meeting_analyse, meetings_rescore
    from meetings.models import Meeting

    job = _job(job_id)
    if job is None:
        return
    RescoreJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
    label = job.label
    todo = list(set(meeting_ids) - _scored(meeting_ids, label))
    key = (job.ruleset_id, job.detector_id)
    rules = _RULES.get(key)
    if rules is None:
        _RULES.clear()
        rules = _RULES[key] = ScoringRules(job.ruleset.snapshot, label, detector_for(job.detector))
    if meetings_rescore(meeting_ids=todo, rules=rules) < len(todo):
        # caches from another tokeniser version: analyse those from the transcript
        for meeting in Meeting.objects.filter(pk__in=set(todo) - _scored(todo, label)):
            meeting_analyse(meeting=meeting)
    rescore_job_progress(job=job)


def _scored(meeting_ids: list[int], label: str) -> set[int]:
    return set(
        MeetingScore.objects.filter(meeting_id__in=meeting_ids, rules_version=label).values_list(
            "meeting_id", flat=True
        )
    )


def rescore_job_progress(*, job: RescoreJob) -> None:
    """Count what is scored with the job's version; every stored meeting scored: done."""
    done = MeetingScore.objects.filter(rules_version=job.label, meeting__tokens__isnull=False).count()
    RescoreJob.objects.filter(pk=job.pk).update(done=done)
    # Meetings deleted, or whose transcript retention removed, during the job leave nothing to score.
    if done >= min(job.total, MeetingTokens.objects.count()):
        RescoreJob.objects.filter(pk=job.pk, status__in=RescoreJob.UNFINISHED).update(
            status=RescoreJob.Status.DONE, finished_at=timezone.now(), done=done
        )


def rescore_job_fail(*, job_id: int, error: str) -> None:
    """A job that cannot go on says why (never "running" for good); what was scored stays."""
    RescoreJob.objects.filter(pk=job_id, status__in=RescoreJob.UNFINISHED).update(
        status=RescoreJob.Status.FAILED, error=error[:500], finished_at=timezone.now()
    )


def rescore_jobs_reap(*, now: datetime | None = None) -> list[int]:
    """Start again every running job whose batches all went silent (their worker died); fail
    those restarted too often. Returns the ids started again."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.AIZUCHI_STUCK_AFTER_SECONDS)
    restarted = []
    for job in RescoreJob.objects.filter(status=RescoreJob.Status.RUNNING, heartbeat_at__lt=cutoff):
        if job.restarts + 1 >= settings.AIZUCHI_WORKER_MAX_ATTEMPTS:
            logger.error("rescore job %s failed: its workers stopped %d times", job.pk, job.restarts + 1)
            with translation.override(settings.LANGUAGE_CODE):
                rescore_job_fail(job_id=job.pk, error=str(INTERRUPTED_MESSAGE))
            continue
        # Claimed by a conditional update: two reapers at once restart it once.
        if RescoreJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
            restarts=F("restarts") + 1, heartbeat_at=timezone.now()
        ):
            restarted.append(job.pk)
    return restarted
