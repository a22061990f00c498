"""Comments with notifications, targets, and "not right" feedback that admins read."""

import pytest
from django.urls import reverse

from coaching.models import Moment
from reviews import selectors, services
from reviews.models import MomentFeedback, Notification
from tests.coaching_pages import FAST_HASHERS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def moment(alice, make_meeting):
    meeting = make_meeting(alice, title="Kickoff")
    meeting.segments.create(index=0, start=1.5, end=4.0, text="そうですね、承知しました。", speaker="rep")
    return Moment.objects.create(
        meeting=meeting,
        behaviour_key="rep_affirmation",
        turn_index=0,
        char_start=0,
        char_end=5,
        time=1.5,
        text="そうですね",
        rule_key="ja-affirm-soudesune",
    )


def test_managers_comment_on_a_line_notifies_the_rep(client, alice, carol, moment):
    # Given carol, alice's manager, on alice's meeting
    client.force_login(carol)
    # When she comments on line 0
    client.post(
        reverse("reviews:comment_create", args=[moment.meeting.pk]),
        {"body": "ここで一度お客様に質問を返しましょう", "segment_index": 0},
    )
    # Then alice has one unread notification and sees the comment on the meeting page, at that line
    assert selectors.notification_unread_count(alice) == 1
    client.force_login(alice)
    page = client.get(reverse("meetings:detail", args=[moment.meeting.pk])).content.decode()
    assert "ここで一度お客様に質問を返しましょう" in page
    assert 'class="badge">1<' in page
    # And opening the notifications marks them read
    listing = client.get(reverse("reviews:notifications")).content.decode()
    assert "Kickoff" in listing
    assert selectors.notification_unread_count(alice) == 0


def test_comment_on_a_moment_keeps_its_time_and_reply_notifies_the_manager(alice, carol, moment):
    comment = services.comment_create(author=carol, meeting=moment.meeting, body="Good", moment=moment)
    assert comment.time == 1.5 and comment.behaviour_key == "rep_affirmation"
    # When alice replies, carol (already in the thread) is told, alice is not
    services.comment_create(author=alice, meeting=moment.meeting, body="Thanks")
    assert Notification.objects.filter(recipient=carol).count() == 1
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_comment_on_a_line_that_does_not_exist_is_refused(client, carol, moment):
    client.force_login(carol)
    response = client.post(
        reverse("reviews:comment_create", args=[moment.meeting.pk]), {"body": "x", "segment_index": 42}
    )
    assert response.status_code == 400
    assert not Notification.objects.exists()


def test_not_right_is_stored_with_the_rule_and_listed_for_admins(client, alice, admin_user, moment):
    # Given alice marks a moment not right
    client.force_login(alice)
    client.post(reverse("reviews:moment_not_right", args=[moment.meeting.pk, moment.pk]))
    # Then the feedback keeps the rule and the text even if the moment is rebuilt later
    feedback = MomentFeedback.objects.get()
    assert (feedback.rule_key, feedback.text, feedback.behaviour_key) == (
        "ja-affirm-soudesune",
        "そうですね",
        "rep_affirmation",
    )
    Moment.objects.all().delete()  # re-analysis replaces moments
    rows = list(selectors.moment_feedback_list_for_admin(admin_user, rule_key="ja-affirm-soudesune"))
    assert [r.text for r in rows] == ["そうですね"]
    assert list(selectors.moment_feedback_list_for_admin(alice)) == []
    client.force_login(admin_user)
    assert "ja-affirm-soudesune" in client.get(reverse("reviews:feedback")).content.decode()


def test_marking_twice_takes_the_mark_back(alice, moment):
    assert services.moment_feedback_toggle(user=alice, meeting=moment.meeting, moment=moment) is True
    assert services.moment_feedback_toggle(user=alice, meeting=moment.meeting, moment=moment) is False
    assert not MomentFeedback.objects.exists()


def test_rep_target_overrides_the_team_target(client, north, alice, bob, carol):
    # Given carol sets a team target and a stricter one for alice, through the page
    client.force_login(carol)
    url = reverse("coaching:targets")
    client.post(url, {"team": north.pk, "kpi": "asks", "value": "2"})
    client.post(url, {"team": north.pk, "kpi": "asks", "value": "3", "rep": alice.pk})
    client.post(url, {"team": north.pk, "kpi": "case_studies", "value": "1"})
    # Then alice's charts use 3, bob's the team's 2
    assert selectors.targets_for_rep(alice) == {"asks": 3.0, "case_studies": 1.0}
    assert selectors.targets_for_rep(bob) == {"asks": 2.0, "case_studies": 1.0}
    # And an empty value removes the target
    client.post(url, {"team": north.pk, "kpi": "asks", "value": "", "rep": alice.pk})
    assert selectors.targets_for_rep(alice)["asks"] == 2.0


def test_manager_cannot_set_a_target_for_a_rep_of_another_team(client, north, carol, erin):
    client.force_login(carol)
    response = client.post(
        reverse("coaching:targets"), {"team": north.pk, "kpi": "asks", "value": "2", "rep": erin.pk}
    )
    assert response.status_code == 404
    assert selectors.targets_for_rep(erin) == {}
