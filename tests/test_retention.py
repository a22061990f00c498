"""Retention: past a team's period the recording (and everything derived from it) or the
transcript goes; the KPIs built from them stay, and the meeting page says what happened."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coaching.models import MeetingScore, MeetingTokens
from meetings.models import Meeting
from privacy.models import ErasureLog, MeetingRedaction, TeamPolicy
from privacy.retention import retention_apply
from tests.coaching_pages import analysed_ja_meeting
from tests.privacy_helpers import files_under

pytestmark = pytest.mark.django_db

KPI_COLUMNS = ("asks", "affirmations", "case_studies", "proposals", "rep_talk_share", "kpis")


def kpis_of(meeting) -> dict:
    score = MeetingScore.objects.get(meeting=meeting)
    return {name: getattr(score, name) for name in KPI_COLUMNS}


@pytest.fixture
def old_meeting(media, client, alice, make_meeting):
    """A Japanese meeting of alice's (team North), analysed, its waveform drawn once, uploaded
    on 1 November 2026: the original, the 16 kHz WAV and the peaks file are on disk."""
    meeting = analysed_ja_meeting(make_meeting, alice)
    client.force_login(alice)
    assert client.get(reverse("coaching:peaks", args=[meeting.pk])).json()["peaks"]
    Meeting.objects.filter(pk=meeting.pk).update(
        created_at=datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    )
    meeting.refresh_from_db()
    assert files_under(media) == [
        f"meetings/{meeting.public_id}/audio16k.wav",
        f"meetings/{meeting.public_id}/original.wav",
        f"meetings/{meeting.public_id}/peaks.json",
    ]
    return meeting


def days_after_upload(meeting, days: float) -> datetime.datetime:
    return meeting.created_at + datetime.timedelta(days=days)


def test_recording_expires_after_the_period_and_the_kpis_and_transcript_stay(
    media, client, north, old_meeting, django_capture_on_commit_callbacks
):
    # Given North keeps recordings 30 days (transcripts forever)
    TeamPolicy.objects.create(team=north, audio_days=30)
    before = kpis_of(old_meeting)
    moments_before = list(old_meeting.moments.values_list("behaviour_key", "text"))
    # When retention runs 29 days after the upload, nothing goes
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_apply(now=days_after_upload(old_meeting, 29))
    assert report.audio_removed == [] and len(files_under(media)) == 3
    # When it runs 31 days after the upload
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_apply(now=days_after_upload(old_meeting, 31))
    # Then every file of the meeting is gone, the transcript, moments and KPIs stay
    assert report.audio_removed == [old_meeting.pk]
    assert files_under(media) == []
    old_meeting.refresh_from_db()
    assert not old_meeting.audio
    assert old_meeting.segments.count() == 5
    assert list(old_meeting.moments.values_list("behaviour_key", "text")) == moments_before
    assert kpis_of(old_meeting) == before
    # And the audit row says what and why, without the title or the customer
    row = ErasureLog.objects.get(action=ErasureLog.Action.AUDIO_EXPIRED)
    assert row.meeting_public_id == old_meeting.public_id and row.counts == {"files": 3}
    assert row.reason == "retention: recordings kept 30 days"
    assert "山田" not in str(row.__dict__) and "定例" not in str(row.__dict__)
    # And the meeting page says the recording was removed, with no player
    html = client.get(reverse("meetings:detail", args=[old_meeting.pk])).content.decode()
    assert 'id="recording-removed"' in html and "retention policy" in html
    assert "<audio" not in html and 'id="kpis"' in html
    assert client.get(reverse("meetings:audio", args=[old_meeting.pk])).status_code == 404
    # And running again changes nothing
    assert retention_apply(now=days_after_upload(old_meeting, 400)).audio_removed == []


def test_transcript_expires_after_its_period_and_the_kpis_stay(
    media, client, north, old_meeting, django_capture_on_commit_callbacks
):
    # Given North keeps recordings 7 days and transcripts 90
    TeamPolicy.objects.create(team=north, audio_days=7, transcript_days=90)
    before = kpis_of(old_meeting)
    moment_count = old_meeting.moments.count()
    with django_capture_on_commit_callbacks(execute=True):
        first = retention_apply(now=days_after_upload(old_meeting, 10))
    assert first.audio_removed == [old_meeting.pk] and first.transcripts_removed == []
    assert old_meeting.segments.count() == 5
    # When retention runs 91 days after the upload
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_apply(now=days_after_upload(old_meeting, 91))
    # Then the transcript and its copies are gone; moments keep their counts, not their text
    assert report.transcripts_removed == [old_meeting.pk]
    assert old_meeting.segments.count() == 0
    assert not MeetingTokens.objects.filter(meeting=old_meeting).exists()
    assert old_meeting.moments.count() == moment_count > 0
    assert set(old_meeting.moments.values_list("text", flat=True)) == {""}
    # And the KPIs are those computed from the transcript
    assert kpis_of(old_meeting) == before
    # And re-running detection (a speaker fix, a rescore) cannot wipe them
    from coaching.services import meeting_analyse

    meeting_analyse(meeting=old_meeting)
    assert kpis_of(old_meeting) == before
    # And the page shows both notices and the numbers, no transcript
    html = client.get(reverse("meetings:detail", args=[old_meeting.pk])).content.decode()
    assert 'id="transcript-removed"' in html and 'id="recording-removed"' in html
    assert 'id="kpis"' in html and "御社でしたら" not in html
    redaction = MeetingRedaction.objects.get(meeting=old_meeting)
    assert redaction.transcript_removed_at == days_after_upload(old_meeting, 91)


def test_transcript_expiry_takes_the_recording_with_it(
    media, north, old_meeting, django_capture_on_commit_callbacks
):
    TeamPolicy.objects.create(team=north, transcript_days=60)
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_apply(now=days_after_upload(old_meeting, 61))
    assert report.transcripts_removed == [old_meeting.pk] and files_under(media) == []
    assert MeetingScore.objects.filter(meeting=old_meeting).exists()


def test_blank_periods_keep_everything_and_other_teams_are_not_touched(
    media, north, south, old_meeting, django_capture_on_commit_callbacks
):
    TeamPolicy.objects.create(team=north)  # blank: forever
    TeamPolicy.objects.create(team=south, audio_days=1, transcript_days=1)
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_apply(now=days_after_upload(old_meeting, 3650))
    assert report.audio_removed == report.transcripts_removed == []
    assert len(files_under(media)) == 3 and old_meeting.segments.count() == 5


def test_a_meeting_still_processing_keeps_its_recording(media, north, alice, make_meeting):
    TeamPolicy.objects.create(team=north, audio_days=1)
    meeting = make_meeting(alice, status=Meeting.Status.TRANSCRIBING)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=timezone.now() - datetime.timedelta(days=5))
    assert retention_apply().audio_removed == []


def test_apply_retention_command_dry_run_changes_nothing(
    media, north, old_meeting, capsys, django_capture_on_commit_callbacks, monkeypatch
):
    TeamPolicy.objects.create(team=north, audio_days=1)
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "would remove 1 recordings and 0 transcripts (3 files)" in out
    assert len(files_under(media)) == 3 and not ErasureLog.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention")
    assert "removed 1 recordings" in capsys.readouterr().out
    assert files_under(media) == []


def test_a_recording_cannot_outlive_its_transcript_in_the_policy(north):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        TeamPolicy(team=north, audio_days=100, transcript_days=30).full_clean()
    assert "audio_days" in raised.value.message_dict


def test_the_beat_schedule_runs_retention_daily(settings):
    from aizuchi.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovers the tasks
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-apply-retention"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == datetime.timedelta(hours=24)


def test_the_privacy_page_shows_the_teams_policy(client, north, alice, bob, south, erin):
    TeamPolicy.objects.create(team=north, audio_days=30, transcript_days=90, consent_required=True)
    client.force_login(alice)
    html = client.get(reverse("privacy:home")).content.decode()
    assert "30 days after upload" in html and "90 days after upload" in html and "Required at upload" in html
    client.force_login(erin)  # South has no policy: everything is kept
    html = client.get(reverse("privacy:home")).content.decode()
    assert html.count("Until deleted") == 2 and "Not required" in html


def test_the_removal_notice_reads_in_japanese(
    media, client, alice, north, old_meeting, django_capture_on_commit_callbacks
):
    TeamPolicy.objects.create(team=north, audio_days=30)
    with django_capture_on_commit_callbacks(execute=True):
        retention_apply(now=days_after_upload(old_meeting, 31))
    alice.profile.language = "ja"
    alice.profile.save()
    html = client.get(reverse("meetings:detail", args=[old_meeting.pk])).content.decode()
    assert "チームの保存期間の設定により、録音は" in html and "に削除されました" in html


def test_a_rescore_job_finishes_when_retention_removes_a_transcript_it_counted(
    media, north, old_meeting, alice, make_meeting, django_capture_on_commit_callbacks
):
    from coaching.models import RescoreJob, RuleSet
    from coaching.rescoring import rescore_job_progress

    # Given a publish counted two meetings to rescore; one is already scored with the new label
    job = RescoreJob.objects.create(
        ruleset=RuleSet.objects.get(is_active=True), total=2, status=RescoreJob.Status.RUNNING
    )
    other = analysed_ja_meeting(make_meeting, alice, title="Other", with_wav=False)
    MeetingScore.objects.filter(meeting=other).update(rules_version=job.label)
    # When retention removes the other meeting's transcript before its batch ran
    TeamPolicy.objects.create(team=north, transcript_days=30)
    with django_capture_on_commit_callbacks(execute=True):
        retention_apply(now=days_after_upload(old_meeting, 31))
    assert not MeetingTokens.objects.filter(meeting=old_meeting).exists()
    # Then the job still finishes
    rescore_job_progress(job=job)
    job.refresh_from_db()
    assert job.status == RescoreJob.Status.DONE and job.done == 1
