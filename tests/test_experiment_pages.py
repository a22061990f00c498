"""Experiment pages: a manager starts one from the form and reads the result in Japanese or
English; a rep in it reads it without the per-rep numbers; everyone else gets 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from experiments import services
from experiments.models import Experiment
from tests.coaching_pages import FAST_HASHERS
from tests.conftest import make_user
from tests.experiment_helpers import D, add_reps, scored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def finished(north, alice, bob, carol):
    """Six reps, four weeks in October–November. The test group's customers asked in 4, 5 and 6
    of each rep's 6 meetings, the control group's in 0, 1 and 2; before the start every rep's
    asked in 1 of 6. Wins alike: 2, 1 and 2 of 3 in each group."""
    add_reps(north, ["frank", "grace", "heidi", "ivan"])
    experiment = services.experiment_start(
        team=north,
        created_by=carol,
        title="提案の前に課題を聞く",
        behaviour="asks",
        start_on=D(2026, 10, 5),
        end_on=D(2026, 11, 1),
        target_share=0.6,
        seed=99,
        today=D(2026, 10, 1),
    )
    seen = {"test": 0, "control": 0}
    for arm in experiment.arms.select_related("rep"):
        k = seen[arm.arm]
        seen[arm.arm] += 1
        asked = (4 + k) if arm.arm == "test" else k
        wins = (2, 1, 2)[k]
        for i in range(6):
            outcome = ("won" if i < wins else "lost") if i < 3 else ""
            scored(arm.rep, D(2026, 10, 6 + i), outcome=outcome, asks=int(i < asked))
            scored(arm.rep, D(2026, 9, 8 + i), asks=int(i == 0))
    return experiment


def _page(client, user, experiment, language="en"):
    client.force_login(user)
    return client.get(reverse("experiments:detail", args=[experiment.pk]), HTTP_ACCEPT_LANGUAGE=language)


def test_manager_reads_the_result_in_english(client, carol, finished):
    page = _page(client, carol, finished).content.decode()
    assert "Target: the customer asked for a proposal at least 1 time(s) in at least 60%" in page
    assert 'id="days-elapsed">28 / 28' in page
    assert "test group 18, control group 18" in page  # meetings so far
    assert 'id="target-met">test group yes, control group no' in page
    assert "The test group did it more: in 83% of their meetings against 17%" in page
    assert "The outcome difference is within chance: 56% against 56% won" in page
    assert "Change from the baseline, test minus control: +67 points" in page
    assert "the outcome difference is within chance. This does not show that it helps" in page
    assert 'id="provisional"' not in page  # it has ended
    assert page.count('data-arm="test"') == 3 and page.count('data-arm="control"') == 3
    assert "seed 99" in page and 'id="stop-experiment"' not in page


def test_the_page_reads_in_japanese(client, carol, finished):
    page = _page(client, carol, finished, "ja").content.decode()
    assert "テストグループのほうが多く実践しました: 商談の 83%（対照 17%）" in page
    assert "結果の差は偶然の範囲内です" in page
    assert 'id="target-met">テストグループ はい、対照グループ いいえ' in page
    assert "目標: テストグループの商談の 60% 以上で「お客様から提案依頼が 1 回以上あった」。" in page
    assert "実験" in page and "Did it help?" not in page


def test_a_running_experiment_is_marked_provisional_and_says_not_enough_data(
    client, north, alice, bob, carol
):
    today = timezone.localdate()
    experiment = services.experiment_start(
        team=north,
        created_by=carol,
        title="Listen first",
        behaviour="listening_window_customer_share",
        start_on=today,
        end_on=today + datetime.timedelta(days=13),
        target_share=0.5,
    )
    scored(alice, today, listening_window_customer_share=0.7)
    page = _page(client, carol, experiment).content.decode()
    assert 'id="provisional"' in page and "Provisional: the experiment is still running" in page
    assert 'id="days-elapsed">1 / 14' in page
    assert (
        "Not enough data yet: 1 test and 0 control reps" in page
        or "Not enough data yet: 0 test and 1" in page
    )
    assert "at least 50% of the listening window" in page
    assert 'id="stop-experiment"' in page


def test_a_rep_in_it_reads_the_groups_numbers_but_not_each_reps_and_cannot_stop_it(client, alice, finished):
    page = _page(client, alice, finished)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="my-arm"' in html and "The test group did it more" in html
    assert 'id="rep-table"' not in html and 'id="stop-experiment"' not in html
    assert "frank" not in html  # teammates' names and numbers stay with the manager
    client.force_login(alice)
    assert client.post(reverse("experiments:stop", args=[finished.pk])).status_code == 404
    finished.refresh_from_db()
    assert finished.stopped_on is None


def test_outsiders_get_404_and_admins_see_it(client, north, dave, erin, admin_user, finished):
    newcomer = make_user("judy", north)  # joined the team after the groups were drawn
    for viewer, status in ((dave, 404), (erin, 404), (newcomer, 404), (admin_user, 200)):
        assert _page(client, viewer, finished).status_code == status, viewer.username
    client.force_login(admin_user)
    page = client.get(reverse("experiments:new") + f"?team={erin.profile.team_id}").content.decode()
    assert 'id="team-picker"' in page and "erin" in page and "alice" not in page  # South's reps
    client.force_login(erin)
    assert client.get(reverse("experiments:new")).status_code == 404  # reps start none
    assert "提案の前に課題を聞く" not in client.get(reverse("experiments:list")).content.decode()
    client.force_login(dave)
    assert client.post(reverse("experiments:stop", args=[finished.pk])).status_code == 404


def test_manager_starts_one_from_the_form_with_the_drawn_half_ticked(client, north, alice, bob, carol):
    add_reps(north, ["frank", "grace"])
    client.force_login(carol)
    form = client.get(reverse("experiments:new")).context["form"]
    seed, ticked = form.initial["seed"], form.initial["test_reps"]
    assert len(ticked) == 2
    today = timezone.localdate()
    response = client.post(
        reverse("experiments:new"),
        {
            "title": "事例を1つ紹介する",
            "behaviour": "case_studies",
            "target_percent": "50",
            "start_on": today.isoformat(),
            "end_on": (today + datetime.timedelta(days=27)).isoformat(),
            "seed": seed,
            "test_reps": ticked,
        },
    )
    experiment = Experiment.objects.get()
    assert response.status_code == 302
    assert experiment.assignment == "random" and experiment.seed == seed and experiment.target_share == 0.5
    assert sorted(experiment.arms.filter(arm="test").values_list("rep_id", flat=True)) == sorted(ticked)
    assert "事例を1つ紹介する" in client.get(reverse("experiments:list")).content.decode()


def test_a_start_in_the_past_is_refused_on_the_form_in_japanese(client, north, alice, bob, carol):
    client.force_login(carol)
    response = client.post(
        reverse("experiments:new"),
        {
            "title": "x",
            "behaviour": "asks",
            "target_percent": "60",
            "start_on": "2020-01-01",
            "end_on": "2020-01-31",
            "seed": "5",
            "test_reps": [alice.pk],
        },
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 400
    assert "実験の開始は今日以降です" in response.content.decode()
    assert not Experiment.objects.exists()
