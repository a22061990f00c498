"""Trend math, the team table with its flags, CSV exports and bounded queries on each page."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from coaching import trends
from reviews.models import Target
from tests.coaching_pages import FAST_HASHERS, scored_meeting

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def october(make_meeting, alice, bob, erin):
    """alice: two meetings in the week of Mon 5 Oct (1 and 3 asks), one on 14 Oct (4 asks);
    bob: one in the week of 5 Oct (6 asks); erin (another team): 100 asks that must not count."""
    scored_meeting(make_meeting, alice, D(2026, 10, 5), asks=1, listening_window_customer_share=0.5)
    scored_meeting(make_meeting, alice, D(2026, 10, 7), asks=3, listening_window_customer_share=0.7)
    scored_meeting(make_meeting, alice, D(2026, 10, 14), asks=4, listening_window_customer_share=0.4)
    scored_meeting(make_meeting, bob, D(2026, 10, 6), asks=6, listening_window_customer_share=0.9)
    scored_meeting(make_meeting, erin, D(2026, 10, 6), asks=100)


def test_weekly_trend_averages_per_week_with_the_team_median_and_target(alice, north, october):
    Target.objects.create(team=north, kpi="asks", value=2.5)
    from reviews.selectors import targets_for_rep

    trend = trends.rep_trend(
        viewer=alice,
        rep=alice,
        period="week",
        start=D(2026, 10, 5),
        end=D(2026, 10, 18),
        targets=targets_for_rep(alice),
    )
    assert [p.start for p in trend.points] == [D(2026, 10, 5), D(2026, 10, 12)]
    assert [p.values["asks"] for p in trend.points] == [2.0, 4.0]
    assert [p.meetings for p in trend.points] == [2, 1]
    # Median of alice's week average (2) and bob's (6); erin is on another team.
    assert [p.team_median["asks"] for p in trend.points] == [4.0, 4.0]
    assert trend.points[0].values["listening_window_customer_share"] == pytest.approx(0.6)
    assert trend.targets == {"asks": 2.5}
    assert trend.meetings == 3


def test_monthly_trend_and_empty_months(alice, october):
    trend = trends.rep_trend(
        viewer=alice, rep=alice, period="month", start=D(2026, 9, 1), end=D(2026, 10, 31), targets={}
    )
    assert [p.start for p in trend.points] == [D(2026, 9, 1), D(2026, 10, 1)]
    assert trend.points[0].values["asks"] is None
    assert trend.points[1].values["asks"] == pytest.approx(8 / 3)


def test_unfinished_meetings_do_not_count(alice, make_meeting, october):
    scored_meeting(make_meeting, alice, D(2026, 10, 15), asks=50).__class__.objects.filter(
        held_on=D(2026, 10, 15)
    ).update(status="failed")
    trend = trends.rep_trend(
        viewer=alice, rep=alice, period="week", start=D(2026, 10, 12), end=D(2026, 10, 18), targets={}
    )
    assert trend.points[0].values["asks"] == 4.0


def test_team_table_flags_rising_premature_proposals_and_falling_listening(
    carol, north, alice, bob, make_meeting
):
    # Given alice, whose premature proposals rise from 0 to 2 per meeting over the period,
    # and bob, whose listening share drops from 0.7 to 0.5
    for day in (1, 3):
        scored_meeting(make_meeting, alice, D(2026, 9, day), premature_proposals=0)
        scored_meeting(make_meeting, bob, D(2026, 9, day), listening_window_customer_share=0.7)
    for day in (25, 28):
        scored_meeting(make_meeting, alice, D(2026, 9, day), premature_proposals=2)
        scored_meeting(make_meeting, bob, D(2026, 9, day), listening_window_customer_share=0.5)
    # When carol opens her team table for September
    table = trends.team_table(viewer=carol, team=north, start=D(2026, 9, 1), end=D(2026, 9, 30), targets={})
    rows = {r.rep.username: r for r in table.rows}
    # Then each is flagged for their own change only
    assert rows["alice"].premature_rising and not rows["alice"].listening_dropping
    assert rows["bob"].listening_dropping and not rows["bob"].premature_rising
    assert rows["alice"].values["premature_proposals"] == 1.0
    assert rows["alice"].meetings == 4
    # And the sparkline runs week by week
    assert table.spark_period == "week"
    # (1 and 3 Sep share a week; 25 and 28 Sep do not)
    assert [v for v in rows["alice"].spark["premature_proposals"] if v is not None] == [0.0, 2.0, 2.0]


def test_team_table_does_not_flag_on_too_few_meetings(carol, north, alice, make_meeting):
    scored_meeting(make_meeting, alice, D(2026, 9, 1), premature_proposals=0)
    scored_meeting(make_meeting, alice, D(2026, 9, 28), premature_proposals=5)
    table = trends.team_table(viewer=carol, team=north, start=D(2026, 9, 1), end=D(2026, 9, 30), targets={})
    assert not table.rows[0].flagged


def test_team_csv_has_one_row_per_rep_with_the_averages(client, carol, north, october):
    client.force_login(carol)
    response = client.get(reverse("coaching:team_csv") + f"?team={north.pk}&start=2026-10-01&end=2026-10-31")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_rep = {r["rep"]: r for r in rows}
    assert set(by_rep) == {"alice", "bob"}
    assert by_rep["alice"]["meetings"] == "3"
    assert float(by_rep["alice"]["asks"]) == pytest.approx(8 / 3, abs=0.01)
    assert float(by_rep["bob"]["listening_window_customer_share"]) == pytest.approx(0.9)


def test_meetings_csv_lists_each_meeting_with_its_kpis(client, alice, october):
    from meetings.models import Meeting

    Meeting.objects.filter(owner=alice, held_on=D(2026, 10, 7)).update(outcome="won")
    client.force_login(alice)
    response = client.get(reverse("coaching:meetings_csv") + "?start=2026-10-01&end=2026-10-31")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r["date"] for r in rows] == ["2026-10-05", "2026-10-07", "2026-10-14"]
    assert [r["asks"] for r in rows] == ["1", "3", "4"]
    assert [r["outcome"] for r in rows] == ["", "won", ""]  # to test behaviours against deals elsewhere


def test_meeting_table_filters_by_customer_and_sorts_by_a_kpi(client, alice, make_meeting, october):
    other = make_meeting(alice, held_on=D(2026, 10, 20), title="Other co", customer_name="Globex")
    client.force_login(alice)
    html = client.get(reverse("coaching:trend_meetings") + "?customer=globex").content.decode()
    assert "Other co" in html and "Call 2026-10-05" not in html
    html = client.get(reverse("coaching:trend_meetings") + "?sort=-asks").content.decode()
    assert html.index("Call 2026-10-14") < html.index("Call 2026-10-07") < html.index("Call 2026-10-05")
    assert other.title in html  # unscored meetings sort last, not out


@pytest.fixture
def busy_team(make_meeting, north, alice, bob, carol):
    """Twelve weeks of meetings for two reps."""
    for week in range(12):
        for rep in (alice, bob):
            scored_meeting(make_meeting, rep, D(2026, 8, 3) + datetime.timedelta(weeks=week), asks=week % 3)


def test_trend_page_queries_are_bounded(client, django_assert_max_num_queries, alice, busy_team):
    client.force_login(alice)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("coaching:trends") + "?start=2026-08-01&end=2026-10-31")
    assert response.status_code == 200
    assert "chart-asks" in response.content.decode()


def test_team_page_queries_are_bounded(client, django_assert_max_num_queries, carol, busy_team):
    client.force_login(carol)
    with django_assert_max_num_queries(14):  # 12 for the table, 2 for won against lost
        response = client.get(reverse("coaching:team") + "?start=2026-08-01&end=2026-10-31")
    assert response.status_code == 200
    assert response.content.decode().count('<svg class="spark') == 2 * len(trends.KPIS)


def test_meeting_list_queries_are_bounded(client, django_assert_max_num_queries, carol, busy_team):
    client.force_login(carol)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("meetings:list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("coaching:trend_meetings") + "?sort=customer").status_code == 200


def test_a_custom_behaviour_gets_its_own_trend_chart_of_moments_per_meeting(client, alice, october):
    import json

    from coaching.models import Behaviour, Moment
    from meetings.models import Meeting

    Behaviour.objects.create(key="budget", name_ja="予算の話", name_en="Budget talk")
    first, second = Meeting.objects.filter(owner=alice, held_on__lt=D(2026, 10, 12)).order_by("held_on")
    for meeting, n in ((first, 3), (second, 0)):  # week of 5 Oct: 3 moments over 2 meetings
        for i in range(n):
            Moment.objects.create(
                meeting=meeting, behaviour_key="budget", turn_index=i, char_start=0, char_end=2
            )
    client.force_login(alice)
    html = client.get(
        reverse("coaching:trends") + "?period=week&start=2026-10-01&end=2026-10-20"
    ).content.decode()
    assert 'id="chart-custom-budget"' in html and "Budget talk" in html
    data = json.loads(html.split('id="trend-data" type="application/json">')[1].split("</script>")[0])
    budget = next(c for c in data if c["key"] == "custom-budget")
    # weeks of 28 Sep (no meeting), 5 Oct (3 moments, 2 meetings), 12 Oct (1 meeting), 19 Oct
    assert budget["values"] == [None, 1.5, 0.0, None]
