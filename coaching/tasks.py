"""Celery tasks of coaching: rescoring every stored meeting after a publish, rule previews.

Tasks take ids, load rows and call services. Rescoring is idempotent and resumable: a batch
scores only meetings not yet scored with the job's version, and a worker that starts resumes
every unfinished job (a killed worker loses at most one uncommitted batch)."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from celery import Task, shared_task
from celery.signals import worker_ready
from django.db.models import Q
from django.utils import timezone

from coaching.models import DetectorVersion, MeetingScore, MeetingTokens, RescoreJob

if TYPE_CHECKING:
    from coaching.services import ScoringRules

logger = logging.getLogger(__name__)
BATCH = int(os.environ.get("AIZUCHI_RESCORE_BATCH", "200"))  # meetings per task
_RULES: dict[tuple[int, int | None], ScoringRules] = {}


def _pending_ids(job: RescoreJob) -> list[int]:
    label = job.label
    done = MeetingScore.objects.filter(rules_version=label).values("meeting_id")
    return list(
        MeetingTokens.objects.exclude(meeting_id__in=done)
        .order_by("meeting_id")
        .values_list("meeting_id", flat=True)
    )


@shared_task(acks_late=True)
def rescore_job_run(job_id: int) -> None:
    """Queue a batch task for every meeting still to score with the job's version."""
    job = RescoreJob.objects.select_related("ruleset", "detector").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    RescoreJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=timezone.now())
    RescoreJob.objects.filter(pk=job_id).update(status=RescoreJob.Status.RUNNING)
    ids = _pending_ids(job)
    if not ids:
        _progress(job)
        return
    for i in range(0, len(ids), BATCH):
        rescore_batch.delay(job_id, ids[i : i + BATCH])


@shared_task(acks_late=True)
def rescore_batch(job_id: int, meeting_ids: list[int]) -> None:
    from coaching.detector import detector_for
    from coaching.services import ScoringRules, meeting_analyse, meetings_rescore

    job = RescoreJob.objects.select_related("ruleset", "detector").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    label = job.label
    scored = set(
        MeetingScore.objects.filter(meeting_id__in=meeting_ids, rules_version=label).values_list(
            "meeting_id", flat=True
        )
    )
    todo = [m for m in meeting_ids if m not in scored]
    try:
        key = (job.ruleset_id, job.detector_id)
        rules = _RULES.get(key)
        if rules is None:
            _RULES.clear()
            rules = _RULES[key] = ScoringRules(job.ruleset.snapshot, label, detector_for(job.detector))
        n = meetings_rescore(meeting_ids=todo, rules=rules)
        if n < len(todo):  # caches from another tokeniser version: analyse from the transcript
            from meetings.models import Meeting

            left = set(todo) - set(
                MeetingScore.objects.filter(meeting_id__in=todo, rules_version=label).values_list(
                    "meeting_id", flat=True
                )
            )
            for meeting in Meeting.objects.filter(pk__in=left):
                meeting_analyse(meeting=meeting)
    except Exception as exc:
        logger.exception("rescore batch of job %s failed", job_id)
        RescoreJob.objects.filter(pk=job_id).update(
            status=RescoreJob.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    _progress(job)


def _progress(job: RescoreJob) -> None:
    label = job.label
    done = MeetingScore.objects.filter(rules_version=label, meeting__tokens__isnull=False).count()
    RescoreJob.objects.filter(pk=job.pk).update(done=done)
    # Meetings deleted, or whose transcript retention removed, during the job leave nothing to score.
    if done >= min(job.total, MeetingTokens.objects.count()):
        RescoreJob.objects.filter(pk=job.pk).filter(
            Q(status=RescoreJob.Status.RUNNING) | Q(status=RescoreJob.Status.QUEUED)
        ).update(status=RescoreJob.Status.DONE, finished_at=timezone.now(), done=done)


@worker_ready.connect
def _resume_unfinished(**kwargs: object) -> None:
    """A worker that (re)starts picks up rescoring that a killed worker left half done."""
    try:
        for job_id in RescoreJob.objects.filter(status__in=RescoreJob.UNFINISHED).values_list(
            "pk", flat=True
        ):
            rescore_job_run.delay(job_id)
        for version_id in DetectorVersion.objects.filter(status=DetectorVersion.Status.TRAINING).values_list(
            "pk", flat=True
        ):
            detector_train_run.delay(version_id)
    except Exception:  # no table yet (a fresh install before migrate)
        logger.warning("could not look for unfinished rescoring jobs", exc_info=True)


@shared_task(acks_late=True)
def preview_part_run(preview_id: int, index: int, meeting_ids: list[int]) -> None:
    from coaching.workbench.preview import preview_part

    preview_part(preview_id, index, meeting_ids)


class DetectorTrainTask(Task):
    """A training that fails says why on its version (never "training" for good)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from coaching.workbench.company_model import detector_train_failed

        version_id = args[0] if args else kwargs.get("version_id")
        detector_train_failed(version_id=version_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(base=DetectorTrainTask, acks_late=True)
def detector_train_run(version_id: int) -> None:
    """Train a company model (coaching.workbench.company_model); a redelivery after a worker
    died trains it again from the start, and a finished version is left alone."""
    from coaching.workbench.company_model import detector_train

    if DetectorVersion.objects.filter(pk=version_id, status=DetectorVersion.Status.TRAINING).exists():
        detector_train(version_id=version_id)
