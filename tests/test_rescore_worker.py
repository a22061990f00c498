"""Publishing rescored by a real worker process; killing it mid-job and starting it again
leaves every meeting scored once with the new version."""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from coaching.models import MeetingScore, Moment, RescoreJob
from coaching.workbench import services as svc
from tests.conftest import _database_url_for_worker, wait_for
from tests.workbench_helpers import (
    KANSAI_ASK,
    KANSAI_RULE,
    STANDARD_ASK,
    ensure_default_rules,
    stored_meeting,
)

pytestmark = [pytest.mark.worker, pytest.mark.real_engine]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setenv("AIZUCHI_RESCORE_BATCH", "1")  # many small tasks: time to kill mid-job
    real_killpg = os.killpg

    def killpg(pid, sig):  # the fixture's worker may already be dead: we killed it on purpose
        with contextlib.suppress(ProcessLookupError):
            real_killpg(pid, sig)

    monkeypatch.setattr(os, "killpg", killpg)


def _publish(admin_user):
    svc.draft_rule_save(actor=admin_user, data=KANSAI_RULE)
    version = svc.ruleset_publish(actor=admin_user, comment="Kansai ask")
    return version, RescoreJob.objects.get(ruleset=version)


def test_publish_rescores_every_meeting_in_the_worker(admin_user, alice, bob, celery_worker_process):
    ensure_default_rules()
    osaka = stored_meeting(alice, KANSAI_ASK, "Osaka")
    tokyo = stored_meeting(bob, STANDARD_ASK, "Tokyo")
    version, job = _publish(admin_user)
    wait_for(lambda: RescoreJob.objects.get(pk=job.pk).status == "done", timeout=120, message="rescoring")
    job.refresh_from_db()
    assert (job.done, job.total) == (2, 2)
    assert set(MeetingScore.objects.values_list("rules_version", flat=True)) == {version.label}
    assert MeetingScore.objects.get(meeting=osaka).asks == 1
    assert MeetingScore.objects.get(meeting=tokyo).asks == 1


def test_killed_worker_resumes_and_scores_every_meeting_once(
    small_batches, admin_user, alice, celery_worker_process, tmp_path
):
    ensure_default_rules()
    meetings = [stored_meeting(alice, KANSAI_ASK if i % 2 else STANDARD_ASK, f"m{i}") for i in range(60)]
    version, job = _publish(admin_user)
    wait_for(
        lambda: RescoreJob.objects.get(pk=job.pk).done >= 3,
        timeout=120,
        interval=0.02,
        message="first batches",
    )
    os.killpg(celery_worker_process.pid, signal.SIGKILL)
    celery_worker_process.wait(timeout=20)
    job.refresh_from_db()
    assert job.status == "running"

    env = dict(
        os.environ, DATABASE_URL=_database_url_for_worker(), CELERY_BROKER_URL=settings.CELERY_BROKER_URL
    )
    with (tmp_path / "worker2.log").open("w") as out:
        again = subprocess.Popen(
            celery_worker_process.args,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(
            lambda: RescoreJob.objects.get(pk=job.pk).status == "done",
            timeout=180,
            message="resumed rescoring",
        )
    finally:
        os.killpg(again.pid, signal.SIGTERM)
        again.wait(timeout=20)
    assert MeetingScore.objects.filter(rules_version=version.label).count() == len(meetings)
    assert MeetingScore.objects.count() == len(meetings)
    # one ask per meeting (the Kansai ones added once each, nothing doubled)
    assert Moment.objects.filter(behaviour_key="customer_asks_for_proposal").count() == len(meetings)
    assert sorted(MeetingScore.objects.values_list("asks", flat=True)) == [1] * len(meetings)


def _pool_processes(worker: subprocess.Popen) -> list[int]:
    """The worker's pool processes (its children: this worker runs no embedded beat)."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_batch_lost_with_its_pool_process_is_restarted_by_the_reaper(
    monkeypatch, admin_user, alice, celery_worker_process, tmp_path
):
    # Given 100 meetings rescored in one batch by a worker whose dead steps count after 3 s
    # (beating every 0.5 s), and a beat
    monkeypatch.setenv("AIZUCHI_RESCORE_BATCH", "100")
    monkeypatch.setenv("AIZUCHI_STUCK_AFTER_SECONDS", "3")
    monkeypatch.setenv("AIZUCHI_WORKER_MAX_ATTEMPTS", "10")  # a busy machine may miss a beat
    env = dict(
        os.environ, DATABASE_URL=_database_url_for_worker(), CELERY_BROKER_URL=settings.CELERY_BROKER_URL
    )
    # (the fixture's worker started before these settings: this test starts its own)
    os.killpg(celery_worker_process.pid, signal.SIGTERM)
    celery_worker_process.wait(timeout=30)
    processes = []
    for name, command in (
        ("worker", celery_worker_process.args),
        (
            "beat",
            [sys.executable, "-m", "celery", "-A", "aizuchi", "beat", "--schedule", str(tmp_path / "beat")],
        ),
    ):
        with (tmp_path / f"{name}.log").open("w") as out:
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    worker = processes[0]
    try:
        ensure_default_rules()
        meetings = [stored_meeting(alice, KANSAI_ASK if i % 2 else STANDARD_ASK, f"m{i}") for i in range(100)]
        version, job = _publish(admin_user)
        started = wait_for(
            lambda: (
                RescoreJob.objects.filter(pk=job.pk, status="running")
                .values_list("heartbeat_at", flat=True)
                .first()
            ),
            timeout=120,
            interval=0.005,
            message="the job to start",
        )
        # When the pool process is killed while the batch runs (only a running batch moves the
        # heartbeat once the job started)
        wait_for(
            lambda: RescoreJob.objects.filter(pk=job.pk, heartbeat_at__gt=started, done=0).exists(),
            timeout=120,
            interval=0.005,
            message="the batch to run",
        )
        for pid in _pool_processes(worker):
            os.kill(pid, signal.SIGKILL)
        # Then the worker goes on with a new pool process, and the reaper restarts the job for the
        # batch that was lost with the old one
        wait_for(lambda: RescoreJob.objects.get(pk=job.pk).status == "done", timeout=180, message="rescoring")
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log = (tmp_path / "worker.log").read_text().splitlines()
        print(
            "\n".join(line for line in log if "reaper" in line or "exited" in line or "rescore_batch" in line)
        )
    job.refresh_from_db()
    assert job.restarts >= 1
    assert MeetingScore.objects.filter(rules_version=version.label).count() == len(meetings)
    assert sorted(MeetingScore.objects.values_list("asks", flat=True)) == [1] * len(meetings)
