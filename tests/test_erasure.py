"""Deleting a meeting or a user takes every file, the transcript, the moments and the comments
with it, and leaves an audit row that says who, what, when and why, without customer content."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse

from coaching.models import MeetingScore, Moment
from meetings.models import Meeting, Segment, VoiceEnrolment
from privacy.models import ErasureLog
from reviews.models import Comment
from reviews.services import comment_create
from tests.coaching_pages import analysed_ja_meeting
from tests.conftest import JFK_WAV
from tests.privacy_helpers import files_under

pytestmark = pytest.mark.django_db


def drawn(client, meeting) -> None:
    """Open the waveform once, so the peaks file exists too."""
    assert client.get(reverse("coaching:peaks", args=[meeting.pk])).json()["peaks"]


def enrolled(user) -> VoiceEnrolment:
    enrolment = VoiceEnrolment(user=user, duration_seconds=11.0, embedding=[0.0] * 256)
    enrolment.clip.save("me.wav", ContentFile(JFK_WAV.read_bytes()), save=False)
    enrolment.save()
    return enrolment


def assert_no_content_in(row: ErasureLog) -> None:
    text = str(row.__dict__)
    for word in ("山田", "定例", "御社", "Kickoff", "ACME"):
        assert word not in text


def test_owner_deletes_a_meeting_and_no_file_or_row_is_left(
    media, client, alice, carol, make_meeting, django_capture_on_commit_callbacks
):
    # Given alice's analysed meeting with its original, 16 kHz WAV and peaks, and a comment
    meeting = analysed_ja_meeting(make_meeting, alice)
    client.force_login(alice)
    drawn(client, meeting)
    comment_create(author=carol, meeting=meeting, body="良い質問です", segment_index=2)
    assert len(files_under(media)) == 3 and Moment.objects.filter(meeting=meeting).exists()
    public_id = meeting.public_id
    # When she deletes it from its page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:delete", args=[meeting.pk]))
    assert response.status_code == 302
    # Then the media folder is empty and nothing of the meeting is left in the database
    assert files_under(media) == []
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    for model in (Segment, Moment, MeetingScore, Comment):
        assert not model.objects.filter(meeting_id=meeting.pk).exists()
    # And the audit row says who, what and why
    row = ErasureLog.objects.get()
    assert (row.action, row.actor, row.actor_name) == (ErasureLog.Action.MEETING_DELETED, alice, "alice")
    assert row.meeting_public_id == public_id and row.subject_user_id == alice.pk
    assert row.reason == "deleted by its owner" and row.counts == {"files": 3}
    assert_no_content_in(row)


def test_admin_deletes_a_user_and_every_file_of_theirs_goes(
    media, client, admin_user, alice, bob, make_meeting, django_capture_on_commit_callbacks
):
    # Given alice has two meetings (one with its derived files) and an enrolled voice; bob one
    first = analysed_ja_meeting(make_meeting, alice)
    client.force_login(alice)
    drawn(client, first)
    make_meeting(alice, title="Kickoff", customer_name="ACME")
    enrolled(alice)
    kept = make_meeting(bob, title="Bob's")
    bobs_files = [f for f in files_under(media) if str(kept.public_id) in f]
    assert len(files_under(media)) == 3 + 1 + 1 + 1
    # When the admin (a superuser, as user_create_or_reset makes admins) deletes alice in the admin
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:auth_user_delete", args=[alice.pk]), {"post": "yes"})
    assert response.status_code == 302
    # Then only bob's recording is left on disk
    assert files_under(media) == bobs_files
    assert not Meeting.objects.filter(owner_id=alice.pk).exists()
    # And there is one audit row for alice and one per meeting, all naming the admin
    rows = list(ErasureLog.objects.order_by("id"))
    assert [r.action for r in rows] == ["user_deleted", "meeting_deleted", "meeting_deleted"]
    assert {r.actor_name for r in rows} == {"admin"} and {r.subject_user_id for r in rows} == {alice.pk}
    assert rows[0].reason == "deleted in the admin" and rows[0].counts == {"meetings": 2}
    for row in rows:
        assert_no_content_in(row)


def test_a_user_deleted_in_code_still_leaves_no_file(
    media, alice, make_meeting, django_capture_on_commit_callbacks
):
    make_meeting(alice)
    enrolled(alice)
    with django_capture_on_commit_callbacks(execute=True):
        get_user_model().objects.get(pk=alice.pk).delete()
    assert files_under(media) == []
    assert set(ErasureLog.objects.values_list("reason", flat=True)) == {"deleted (admin or cascade)"}


def test_a_deletion_rolled_back_keeps_the_recording(media, alice, make_meeting):
    from django.db import transaction

    meeting = make_meeting(alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        Meeting.objects.get(pk=meeting.pk).delete()
        raise RuntimeError("the request failed after the delete")
    assert files_under(media) == [f"meetings/{meeting.public_id}/original.wav"]
