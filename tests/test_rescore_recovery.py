"""Rescoring jobs whose workers die or whose batches raise: restarted a counted number of times,
then failed with a message; never "running" for good. (tests/test_rescore_worker.py kills a real
worker.)"""

from datetime import timedelta

import pytest
from django.utils import timezone

from coaching import rescoring
from coaching.models import MeetingScore, MeetingTokens, RescoreJob
from coaching.tasks import rescore_batch
from coaching.workbench import services as svc
from tests.workbench_helpers import KANSAI_ASK, KANSAI_RULE, ensure_default_rules, stored_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(admin_user, alice):
    ensure_default_rules()
    stored_meeting(alice, KANSAI_ASK, "Osaka")
    svc.draft_rule_save(actor=admin_user, data=KANSAI_RULE)
    version = svc.ruleset_publish(actor=admin_user, comment="Kansai ask")  # queued on commit: never here
    return RescoreJob.objects.get(ruleset=version)


def silent_for_an_hour(job, **fields):
    RescoreJob.objects.filter(pk=job.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(hours=1), **fields
    )


def test_job_whose_batches_went_silent_is_started_again_once(job):
    silent_for_an_hour(job)
    assert rescoring.rescore_jobs_reap() == [job.pk]
    assert rescoring.rescore_jobs_reap() == []  # the restart beats: not again at once
    job.refresh_from_db()
    assert (job.status, job.restarts) == ("running", 1)


def test_a_job_beating_or_finished_is_left_alone(job):
    RescoreJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert rescoring.rescore_jobs_reap() == []
    silent_for_an_hour(job)
    RescoreJob.objects.filter(pk=job.pk).update(status="done")
    assert rescoring.rescore_jobs_reap() == []


def test_job_restarted_too_often_fails_with_a_message(job, settings):
    settings.AIZUCHI_WORKER_MAX_ATTEMPTS = 3
    silent_for_an_hour(job, restarts=2)  # started three times, silent again
    assert rescoring.rescore_jobs_reap() == []
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert "interrupted several times" in job.error


def test_restarted_job_scores_what_is_left_and_nothing_twice(job):
    # Given the first batch was scored, then its worker died before the job was marked done
    batches = rescoring.rescore_job_batches(job_id=job.pk)
    rescoring.rescore_batch_score(job_id=job.pk, meeting_ids=batches[0])
    RescoreJob.objects.filter(pk=job.pk).update(status="running", done=0)
    # When the job is started again and its batch runs twice
    assert rescoring.rescore_job_batches(job_id=job.pk) == []  # nothing left: the job is done
    rescoring.rescore_batch_score(job_id=job.pk, meeting_ids=batches[0])
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 1, 1)
    assert MeetingScore.objects.get().asks == 1


def test_a_batch_that_raises_fails_its_job_with_the_reason(job):
    # Given a meeting whose stored tokens were damaged
    tokens = MeetingTokens.objects.get()
    MeetingTokens.objects.filter(pk=tokens.pk).update(tokens={"damaged": True})
    # When a worker runs its batch, the task fails and says so on the job
    result = rescore_batch.apply(args=(job.pk, [tokens.meeting_id]))
    assert result.failed()
    job.refresh_from_db()
    assert job.status == "failed" and job.error
