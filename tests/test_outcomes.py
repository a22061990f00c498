"""Deal outcomes: who may record one on a meeting, and the team page's won-against-lost
comparison with its 95% interval."""

import datetime

import pytest
from django.urls import reverse
from scipy import stats

from coaching import outcomes
from coaching.models import Behaviour, Moment
from meetings.models import Meeting
from tests.coaching_pages import FAST_HASHERS, scored_meeting

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _post(client, meeting, outcome, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("meetings:outcome", args=[meeting.pk]), {"outcome": outcome}, **headers)


def test_the_rep_and_their_manager_record_the_outcome_others_get_404(
    client, make_meeting, alice, bob, carol, dave
):
    meeting = make_meeting(alice)
    client.force_login(alice)
    response = _post(client, meeting, "won")
    assert response.status_code == 200 and 'class="outcome outcome-won"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.outcome == "won" and meeting.outcome_updated_at is not None

    client.force_login(carol)  # alice's manager
    assert _post(client, meeting, "lost", htmx=False).status_code == 302
    for other in (bob, dave):  # a teammate, another team's manager
        client.force_login(other)
        assert _post(client, meeting, "won").status_code == 404
    meeting.refresh_from_db()
    assert meeting.outcome == "lost"

    client.force_login(alice)
    assert _post(client, meeting, "maybe").status_code == 400
    meeting.refresh_from_db()
    assert meeting.outcome == "lost"  # nothing changed
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'id="outcome-select"' in page and '<option value="lost" selected>' in page


def test_welch_interval_matches_scipy():
    won, lost = [3.0, 4.0, 5.0, 4.0], [0.0, 1.0, 1.0, 2.0, 0.0]
    expected = stats.ttest_ind(won, lost, equal_var=False).confidence_interval(0.95)
    low, high = outcomes.welch_interval(won, lost)
    assert low == pytest.approx(expected.low) and high == pytest.approx(expected.high)
    assert outcomes.welch_interval([1.0], lost) is None  # one meeting is no interval


@pytest.fixture
def decided_deals(make_meeting, alice, bob, erin):
    budget = Behaviour.objects.create(key="budget", name_ja="予算の話", name_en="Budget talk")
    made = []
    for owner, asks, outcome in [
        (alice, 3, "won"),
        (alice, 4, "won"),
        (bob, 5, "won"),
        (bob, 4, "won"),
        (alice, 0, "lost"),
        (bob, 1, "lost"),
        (alice, 1, "lost"),
        (bob, 2, "lost"),
        (alice, 9, "open"),
        (alice, 9, ""),  # undecided: not compared
        (erin, 0, "won"),  # another team
    ]:
        m = scored_meeting(make_meeting, owner, D(2026, 10, 5), asks=asks, rep_talk_share=0.5)
        Meeting.objects.filter(pk=m.pk).update(outcome=outcome)
        made.append(m)
    for m in made[:4]:  # budget talk in every won meeting, never in lost ones
        Moment.objects.create(
            meeting=m, behaviour_key=budget.key, turn_index=0, char_start=0, char_end=2, text="予算"
        )
    return made


def test_team_page_compares_won_and_lost_meetings_per_behaviour(client, carol, decided_deals):
    client.force_login(carol)
    response = client.get(reverse("coaching:team") + "?start=2026-10-01&end=2026-10-31")
    html = response.content.decode()
    assert "Won and lost deals" in html and "4 meetings of won deals and 4 of lost ones" in html
    result = outcomes.won_lost_comparison(
        viewer=carol, team=carol.profile.team, start=D(2026, 10, 1), end=D(2026, 10, 31)
    )
    rows = {r.key: r for r in result["rows"]}
    asks = rows["asks"]
    assert (asks.won, asks.lost, asks.won_n, asks.lost_n) == (4.0, 1.0, 4, 4) and asks.clear
    assert rows["rep_talk_share"].low == rows["rep_talk_share"].high == 0.0  # same in both
    assert not rows["rep_talk_share"].clear
    assert rows["budget"].won == 1.0 and rows["budget"].lost == 0.0 and rows["budget"].label == "Budget talk"
    assert 'data-kpi="asks" class="clear"' in html and 'data-kpi="budget"' in html


def test_a_rep_cannot_open_the_team_comparison(client, alice, decided_deals):
    client.force_login(alice)
    assert client.get(reverse("coaching:team")).status_code in (403, 404)


def test_the_comparison_reads_in_japanese(client, carol, decided_deals):
    carol.profile.language = "ja"
    carol.profile.save()
    client.force_login(carol)
    html = client.get(
        reverse("coaching:team") + "?start=2026-10-01&end=2026-10-31", HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    assert "受注と失注の比較" in html and "差（95% 区間）" in html and "はっきりした差" in html
    assert "予算の話" in html  # the custom behaviour by its Japanese name
