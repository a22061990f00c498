"""Celery tasks of coaching: rescoring every stored meeting after a publish, rule previews.

Tasks take ids, load rows and call services (coaching.rescoring holds rescoring's logic and its
job state). Rescoring is idempotent and resumable: a worker that starts resumes every unfinished
job, and the reaper (Celery beat) restarts a job whose batches died with their worker."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.signals import worker_ready

from aizuchi.heartbeat import beating
from coaching import rescoring
from coaching.models import DetectorVersion, RescoreJob

logger = logging.getLogger(__name__)


class RescoreTask(Task):
    """A rescoring step that raises fails its job with the reason (never "running" for good)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        job_id = args[0] if args else kwargs.get("job_id")
        logger.error("rescore job %s failed in %s: %r", job_id, self.name, exc, exc_info=einfo.exc_info)
        rescoring.rescore_job_fail(job_id=job_id, error=str(exc))


# Not requeued when the pool process dies: a batch that kills its worker would come back for
# ever. The lost batch leaves its job silent, and the reaper restarts the job, a counted number
# of times.
@shared_task(base=RescoreTask, acks_late=True, reject_on_worker_lost=False)
def rescore_job_run(job_id: int) -> None:
    """Queue a batch task for every meeting still to score with the job's version."""
    for batch in rescoring.rescore_job_batches(job_id=job_id):
        rescore_batch.delay(job_id, batch)


@shared_task(base=RescoreTask, acks_late=True, reject_on_worker_lost=False)
def rescore_batch(job_id: int, meeting_ids: list[int]) -> None:
    with beating(RescoreJob, job_id):
        rescoring.rescore_batch_score(job_id=job_id, meeting_ids=meeting_ids)


@shared_task(acks_late=True)
def rescore_jobs_reap_stuck() -> None:
    """Restart rescoring whose workers died (Celery beat runs this every few minutes)."""
    for job_id in rescoring.rescore_jobs_reap():
        logger.warning("reaper: rescore job %s started again", job_id)
        rescore_job_run.delay(job_id)


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
