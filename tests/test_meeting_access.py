"""Who may open a meeting, its status partial and its recording."""

import pytest
from django.urls import reverse

from meetings.selectors import meeting_list_for_user

pytestmark = pytest.mark.django_db

MEETING_URLS = ["meetings:detail", "meetings:status", "meetings:audio"]


@pytest.mark.parametrize("url_name", MEETING_URLS)
def test_rep_cannot_open_teammates_meeting(client, alice, bob, make_meeting, url_name):
    # Given a meeting of bob's
    meeting = make_meeting(bob, title="Bob's call")
    # When alice, on the same team, asks for it
    client.force_login(alice)
    response = client.get(reverse(url_name, args=[meeting.pk]))
    # Then it does not exist for her
    assert response.status_code == 404


@pytest.mark.parametrize("url_name", MEETING_URLS)
def test_rep_opens_own_meeting(client, alice, make_meeting, url_name):
    meeting = make_meeting(alice)
    client.force_login(alice)
    assert client.get(reverse(url_name, args=[meeting.pk])).status_code == 200


@pytest.mark.parametrize("url_name", MEETING_URLS)
def test_manager_opens_team_meeting_but_not_other_teams(client, alice, carol, dave, make_meeting, url_name):
    meeting = make_meeting(alice)
    client.force_login(carol)
    assert client.get(reverse(url_name, args=[meeting.pk])).status_code == 200
    client.force_login(dave)
    assert client.get(reverse(url_name, args=[meeting.pk])).status_code == 404


@pytest.mark.parametrize("url_name", MEETING_URLS)
def test_admin_opens_any_meeting(client, erin, admin_user, make_meeting, url_name):
    meeting = make_meeting(erin)
    client.force_login(admin_user)
    assert client.get(reverse(url_name, args=[meeting.pk])).status_code == 200


@pytest.mark.parametrize("url_name", MEETING_URLS)
def test_anonymous_is_sent_to_sign_in(client, alice, make_meeting, url_name):
    meeting = make_meeting(alice)
    response = client.get(reverse(url_name, args=[meeting.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_rep_cannot_retry_or_delete_teammates_meeting(client, alice, bob, make_meeting):
    meeting = make_meeting(bob, status="failed")
    client.force_login(alice)
    assert client.post(reverse("meetings:retry", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("meetings:delete", args=[meeting.pk])).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == "failed"


def test_manager_cannot_delete_reps_recording(client, alice, carol, make_meeting):
    meeting = make_meeting(alice)
    client.force_login(carol)
    assert client.post(reverse("meetings:delete", args=[meeting.pk])).status_code == 404
    assert meeting_list_for_user(alice).filter(pk=meeting.pk).exists()


def test_meeting_list_shows_only_what_the_user_may_see(client, alice, bob, carol, erin, make_meeting):
    make_meeting(alice, title="Alice call")
    make_meeting(bob, title="Bob call")
    make_meeting(erin, title="Erin call")
    client.force_login(alice)
    page = client.get(reverse("meetings:list")).content.decode()
    assert "Alice call" in page and "Bob call" not in page and "Erin call" not in page
    client.force_login(carol)
    page = client.get(reverse("meetings:list")).content.decode()
    assert "Alice call" in page and "Bob call" in page and "Erin call" not in page


def test_audio_supports_range_requests_for_seeking(client, alice, make_meeting):
    meeting = make_meeting(alice)
    client.force_login(alice)
    response = client.get(reverse("meetings:audio", args=[meeting.pk]), HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"].startswith("bytes 100-199/")
    assert len(b"".join(response.streaming_content)) == 100


def test_audio_is_handed_to_the_web_server_when_configured(client, alice, make_meeting, settings):
    settings.AIZUCHI_MEDIA_ACCEL_PREFIX = "/protected/"
    meeting = make_meeting(alice)
    client.force_login(alice)
    response = client.get(reverse("meetings:audio", args=[meeting.pk]))
    assert response["X-Accel-Redirect"] == f"/protected/meetings/{meeting.public_id}/original.wav"
