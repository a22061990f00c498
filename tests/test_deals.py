"""Deals: who sees and edits them, putting a meeting in a deal from the meeting page, and the
deal's lead-time KPIs on its page."""

import datetime

import pytest
from django.urls import reverse

from coaching.models import Moment
from deals import services
from deals.models import Deal, DealMeeting
from tests.coaching_pages import FAST_HASHERS

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _deal(owner, **fields):
    values = {"customer_name": "山田商事", "name": "基幹刷新", "opened_on": D(2026, 10, 1), **fields}
    return services.deal_create(owner=owner, **values)


def test_rep_sees_own_deals_manager_sees_team_outsiders_get_404(client, alice, bob, carol, dave, erin):
    deal = _deal(alice)
    url = reverse("deals:detail", args=[deal.pk])
    for viewer, status in ((alice, 200), (carol, 200), (bob, 404), (dave, 404), (erin, 404)):
        client.force_login(viewer)
        assert client.get(url).status_code == status, viewer.username
    client.force_login(bob)
    assert "基幹刷新" not in client.get(reverse("deals:list")).content.decode()
    client.force_login(carol)
    assert "基幹刷新" in client.get(reverse("deals:list")).content.decode()


def test_rep_adds_a_deal_and_closing_before_opening_is_refused_in_japanese(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("deals:list"),
        {"customer_name": "Globex", "name": "Pilot", "opened_on": "2026-10-01", "stage": "discovery"},
    )
    deal = Deal.objects.get(name="Pilot")
    assert response.status_code == 302 and deal.owner == alice and deal.outcome == "open"

    response = client.post(
        reverse("deals:detail", args=[deal.pk]),
        {"stage": "closed", "outcome": "won", "closed_on": "2026-09-01"},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 400
    assert "商談は開始日より前に終わることはできません" in response.content.decode()
    deal.refresh_from_db()
    assert deal.outcome == "open" and deal.closed_on is None  # nothing stored changed


def test_manager_records_the_outcome_of_a_teammates_deal_but_other_managers_cannot(
    client, alice, carol, dave
):
    deal = _deal(alice)
    client.force_login(dave)
    assert client.post(reverse("deals:detail", args=[deal.pk]), {"outcome": "won"}).status_code == 404
    client.force_login(carol)
    response = client.post(
        reverse("deals:detail", args=[deal.pk]),
        {"stage": "negotiation", "outcome": "won", "closed_on": "2026-11-20", "amount": "1200000"},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.outcome, deal.stage, deal.closed_on) == ("won", "closed", D(2026, 11, 20))


def test_given_a_meeting_when_the_rep_names_a_new_deal_then_the_meeting_joins_it(client, make_meeting, alice):
    meeting = make_meeting(alice, customer_name="Initech", held_on=D(2026, 11, 2))
    client.force_login(alice)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'id="deal-select"' in page
    response = client.post(reverse("deals:meeting", args=[meeting.pk]), {"new_name": "Renewal"})
    assert response.status_code == 302
    link = DealMeeting.objects.get(meeting=meeting)
    assert (link.deal.name, link.deal.customer_name, link.deal.opened_on) == (
        "Renewal",
        "Initech",
        D(2026, 11, 2),
    )
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'id="meeting-deal-link"' in page and "Renewal" in page

    other = _deal(alice, name="Upsell")
    client.post(reverse("deals:meeting", args=[meeting.pk]), {"deal": other.pk})
    assert DealMeeting.objects.get(meeting=meeting).deal == other  # moved, still one link


def test_a_meeting_cannot_join_someone_elses_deal(client, make_meeting, alice, bob, carol, dave):
    meeting = make_meeting(alice)
    bobs = _deal(bob)
    client.force_login(carol)
    client.post(reverse("deals:meeting", args=[meeting.pk]), {"deal": bobs.pk})
    assert not DealMeeting.objects.filter(meeting=meeting).exists()
    client.force_login(dave)
    assert client.post(reverse("deals:meeting", args=[meeting.pk]), {"new_name": "x"}).status_code == 404
    assert not Deal.objects.filter(name="x").exists()


def test_deal_page_shows_lead_times_from_its_meetings_moments(client, make_meeting, alice):
    deal = _deal(alice, opened_on=D(2026, 10, 1))
    first = make_meeting(alice, held_on=D(2026, 10, 5))
    second = make_meeting(alice, held_on=D(2026, 10, 12))
    for m in (first, second):
        services.deal_attach_meeting(deal=deal, meeting=m)
    Moment.objects.create(
        meeting=first, behaviour_key="premature_proposal", turn_index=1, char_start=0, char_end=3, text="x"
    )
    Moment.objects.create(
        meeting=second,
        behaviour_key="customer_asks_for_proposal",
        turn_index=2,
        char_start=0,
        char_end=3,
        time=60.0,
        text="x",
    )
    Moment.objects.create(
        meeting=second,
        behaviour_key="rep_proposal",
        turn_index=3,
        char_start=0,
        char_end=3,
        time=90.0,
        text="x",
    )
    services.deal_update(deal=deal, stage="closed", outcome="won", closed_on=D(2026, 10, 30), amount=None)
    client.force_login(alice)
    page = client.get(reverse("deals:detail", args=[deal.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<dd id="kpi-meetings-until-ask">2</dd>' in page
    assert "30 s, same meeting" in page
    assert '<dd id="kpi-premature">50%</dd>' in page
    assert '<dd id="kpi-days-to-close">25</dd>' in page
