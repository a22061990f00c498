"""Who may open what: every page, partial, export and media URL against six personas.

alice owns the meeting; bob is her teammate (a rep); carol manages their team North; dave
manages South; admin is staff; anonymous is signed out. 404 (not 403) hides what exists.
"""

import pytest
from django.urls import reverse

from coaching.models import Moment
from reviews.models import Comment, MomentFeedback
from tests.coaching_pages import FAST_HASHERS, score

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS  # six personas per test: PBKDF2 would dominate


PERSONAS = ["alice", "bob", "carol", "dave", "admin", "anonymous"]

# (name, url builder, who gets 200; everyone else signed in gets 404)
MEETING_URLS = [
    (
        "meeting page",
        lambda w: reverse("meetings:detail", args=[w["meeting"].pk]),
        {"alice", "carol", "admin"},
    ),
    (
        "status partial",
        lambda w: reverse("meetings:status", args=[w["meeting"].pk]),
        {"alice", "carol", "admin"},
    ),
    ("audio", lambda w: reverse("meetings:audio", args=[w["meeting"].pk]), {"alice", "carol", "admin"}),
    (
        "waveform peaks",
        lambda w: reverse("coaching:peaks", args=[w["meeting"].pk]),
        {"alice", "carol", "admin"},
    ),
    (
        "comments partial",
        lambda w: reverse("reviews:comments", args=[w["meeting"].pk]),
        {"alice", "carol", "admin"},
    ),
    (
        "alice's trends",
        lambda w: reverse("coaching:trends") + f"?rep={w['alice'].pk}",
        {"alice", "carol", "admin"},
    ),
    (
        "alice's meeting table partial",
        lambda w: reverse("coaching:trend_meetings") + f"?rep={w['alice'].pk}",
        {"alice", "carol", "admin"},
    ),
    (
        "alice's meetings CSV",
        lambda w: reverse("coaching:meetings_csv") + f"?rep={w['alice'].pk}",
        {"alice", "carol", "admin"},
    ),
    ("North team page", lambda w: reverse("coaching:team") + f"?team={w['north'].pk}", {"carol", "admin"}),
    ("North team CSV", lambda w: reverse("coaching:team_csv") + f"?team={w['north'].pk}", {"carol", "admin"}),
    (
        "North meetings CSV",
        lambda w: reverse("coaching:meetings_csv") + f"?team={w['north'].pk}",
        {"carol", "admin"},
    ),
    ("North targets", lambda w: reverse("coaching:targets") + f"?team={w['north'].pk}", {"carol", "admin"}),
    ("North CRM import", lambda w: reverse("deals:import") + f"?team={w['north'].pk}", {"carol", "admin"}),
    ("rule feedback", lambda w: reverse("reviews:feedback"), {"admin"}),
    # Pages about the viewer themselves: every signed-in persona has one.
    ("own trends", lambda w: reverse("coaching:trends"), {"alice", "bob", "carol", "dave", "admin"}),
    (
        "own meeting table",
        lambda w: reverse("coaching:trend_meetings"),
        {"alice", "bob", "carol", "dave", "admin"},
    ),
    (
        "own meetings CSV",
        lambda w: reverse("coaching:meetings_csv"),
        {"alice", "bob", "carol", "dave", "admin"},
    ),
    ("notifications", lambda w: reverse("reviews:notifications"), {"alice", "bob", "carol", "dave", "admin"}),
    ("meeting list", lambda w: reverse("meetings:list"), {"alice", "bob", "carol", "dave", "admin"}),
]


@pytest.fixture
def world(north, alice, bob, carol, dave, erin, admin_user, make_meeting):
    meeting = make_meeting(alice, title="Alice call", customer_name="ACME")
    score(meeting, asks=2, premature_proposals=1, listening_window_customer_share=0.6)
    moment = Moment.objects.create(
        meeting=meeting, behaviour_key="rep_affirmation", turn_index=0, char_start=0, char_end=3, text="yes"
    )
    users = {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "admin": admin_user}
    return {"meeting": meeting, "moment": moment, "north": north, "users": users, "alice": alice}


def _login(client, world, persona):
    if persona != "anonymous":
        client.force_login(world["users"][persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name,url,allowed", MEETING_URLS, ids=[u[0] for u in MEETING_URLS])
def test_each_url_answers_only_to_who_may_see_it(client, world, persona, name, url, allowed):
    # Given alice's meeting and a persona
    _login(client, world, persona)
    # When the persona asks for the URL
    response = client.get(url(world))
    # Then only the allowed see it; others learn nothing; anonymous is sent to sign in
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona in allowed:
        assert response.status_code == 200, name
    else:
        assert response.status_code == 404, name


@pytest.mark.parametrize("persona", PERSONAS)
def test_commenting_needs_access_to_the_meeting(client, world, persona):
    _login(client, world, persona)
    url = reverse("reviews:comment_create", args=[world["meeting"].pk])
    response = client.post(url, {"body": "Nice opening"})
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif persona in {"alice", "carol", "admin"}:
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    expected = 1 if persona in {"alice", "carol", "admin"} else 0
    assert Comment.objects.count() == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_rep_marks_their_moment_not_right(client, world, persona):
    _login(client, world, persona)
    url = reverse("reviews:moment_not_right", args=[world["meeting"].pk, world["moment"].pk])
    response = client.post(url)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif persona == "alice":
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    assert MomentFeedback.objects.count() == (1 if persona == "alice" else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_deal_outcome_is_recorded_by_the_rep_their_manager_or_an_admin(client, world, persona):
    _login(client, world, persona)
    url = reverse("meetings:outcome", args=[world["meeting"].pk])
    response = client.post(url, {"outcome": "won"})
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif persona in {"alice", "carol", "admin"}:
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    world["meeting"].refresh_from_db()
    assert world["meeting"].outcome == ("won" if persona in {"alice", "carol", "admin"} else "")


@pytest.mark.parametrize("persona", ["alice", "bob", "dave"])
def test_targets_cannot_be_set_by_reps_or_other_managers(client, world, persona):
    _login(client, world, persona)
    response = client.post(
        reverse("coaching:targets"), {"team": world["north"].pk, "kpi": "asks", "value": "3"}
    )
    assert response.status_code == 404


def test_exports_hold_only_what_the_viewer_may_see(client, world, erin, make_meeting):
    # Given a meeting of erin's on team South
    other = make_meeting(erin, title="Erin secret call")
    score(other, asks=9)
    # When carol (North) exports her team's meetings and her own list
    client.force_login(world["users"]["carol"])
    team_csv = b"".join(
        client.get(reverse("coaching:meetings_csv") + f"?team={world['north'].pk}").streaming_content
    ).decode()
    # Then alice's meeting is there and erin's is not
    assert "Alice call" in team_csv and "Erin secret call" not in team_csv
    # And a rep's own export never holds a teammate's meeting
    client.force_login(world["users"]["bob"])
    own = b"".join(client.get(reverse("coaching:meetings_csv")).streaming_content).decode()
    assert "Alice call" not in own
