"""A first run that shows the product: `seed_demo` gives each demo rep a quarter of meetings,
analysed by the product's own import path, and deals won and lost, so the trends, the team view
and "What wins deals" have something to show; running it again adds nothing, and
AIZUCHI_DEMO_HISTORY=0 seeds the logins only."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from coaching.models import MeetingScore, Moment
from coaching.services import meeting_analyse
from deals.models import Deal, DealMeeting
from demo.history import REPS
from demo.services import demo_meetings
from meetings.models import Meeting, Segment
from meetings.transcript_import import meeting_import_transcript

REP_NAMES = [s.username for s in REPS]


def _moments(meeting):
    return sorted(
        Moment.objects.filter(meeting=meeting).values_list(
            "behaviour_key", "turn_index", "char_start", "text"
        )
    )


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the class (about half a minute of analysis), roll it all back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(AIZUCHI_DEMO_HISTORY=False):
            call_command("seed_demo", stdout=io.StringIO())  # the logins, as on an earlier start
        # Given demo-rep's own upload, a transcript still waiting for its speakers to be mapped.
        meeting_import_transcript(
            owner=get_user_model().objects.get(username="demo-rep"),
            uploaded_file=SimpleUploadedFile("my-call.txt", "山田: こんにちは。\n佐藤: はい。\n".encode()),
            held_on=timezone.localdate(),
        )
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


class TestSeededDemo:
    def test_each_demo_rep_has_analysed_meetings_over_at_least_ten_weeks(self, seeded, db):
        assert "Demo history:" in seeded and " s." in seeded  # it says how long it took
        today = timezone.localdate()
        for username in REP_NAMES:
            meetings = demo_meetings(get_user_model().objects.get(username=username))
            assert meetings.count() >= 20, username
            assert not meetings.exclude(status=Meeting.Status.DONE).exists()
            assert len({m.held_on.isocalendar()[:2] for m in meetings}) >= 10, username
            assert all((today - m.held_on).days <= 7 * 13 and m.held_on <= today for m in meetings)
            assert all(m.created_at.date() == m.held_on for m in meetings)  # uploaded the day it was held
            for key in ("customer_asks_for_proposal", "rep_affirmation", "rep_proposal"):
                assert Moment.objects.filter(meeting__in=meetings, behaviour_key=key).exists(), (
                    username,
                    key,
                )
            assert MeetingScore.objects.filter(meeting__in=meetings).count() == meetings.count()
            no_segments = meetings.annotate(n=Count("segments")).filter(n__lt=10)
            assert not no_segments.exists()
            assert not Segment.objects.filter(meeting__in=meetings, speaker="").exists()

    def test_the_moments_are_what_the_product_finds_in_the_transcript(self, seeded, db):
        meeting = demo_meetings(get_user_model().objects.get(username="demo-rep2")).first()
        stored = _moments(meeting)
        meeting_analyse(meeting=meeting)  # the analysis the worker runs on an imported transcript
        assert stored and _moments(meeting) == stored

    def test_deals_are_won_and_lost_and_hold_their_reps_meetings(self, seeded, db):
        deals = Deal.objects.filter(owner__username__in=REP_NAMES)
        outcomes = dict(deals.values_list("outcome").annotate(n=Count("id")))
        assert outcomes.get("won", 0) >= 10 and outcomes.get("lost", 0) >= 10
        assert outcomes.get("open", 0) >= 1  # deals still in progress today
        for deal in deals.filter(outcome__in=("won", "lost")):
            links = DealMeeting.objects.filter(deal=deal).select_related("meeting")
            assert links and all(link.meeting.owner_id == deal.owner_id for link in links)
            assert all(link.meeting.outcome == deal.outcome for link in links)
            assert deal.closed_on >= max(link.meeting.held_on for link in links)
        demo = Meeting.objects.filter(
            owner__username__in=REP_NAMES, original_filename__startswith="aizuchi-demo-"
        )
        assert not demo.filter(deal_link__isnull=True).exists()

    def test_manager_team_view_shows_every_demo_rep_with_meetings_and_a_flag(self, seeded, db, client):
        client.force_login(get_user_model().objects.get(username="demo-manager"))
        response = client.get(reverse("coaching:team"))
        assert response.status_code == 200
        rows = {row.rep.username: row for row in response.context["table"].rows}
        assert set(rows) == set(REP_NAMES)  # the admin is not listed as a rep
        assert all(row.meetings >= 20 for row in rows.values())
        assert any(row.premature_rising or row.listening_dropping for row in rows.values())
        assert response.context["outcomes"]  # won against lost meetings

    def test_manager_evidence_page_shows_intervals_within_rep(self, seeded, db, client):
        client.force_login(get_user_model().objects.get(username="demo-manager"))
        response = client.get(reverse("deals:evidence"), HTTP_ACCEPT_LANGUAGE="ja")
        assert response.status_code == 200
        shown = [row["effect"] for row in response.context["rows"] if row["effect"].enough]
        assert len(shown) >= 3
        assert all(e.n_deals >= 30 and e.low <= e.estimate <= e.high for e in shown)

    def test_the_rep_sees_their_demo_meetings_beside_their_own_upload(self, seeded, db, client):
        rep = get_user_model().objects.get(username="demo-rep")
        own = Meeting.objects.get(owner=rep, original_filename="my-call.txt")
        assert own.status == Meeting.Status.MAPPING and not DealMeeting.objects.filter(meeting=own).exists()
        client.force_login(rep)
        assert client.get(reverse("coaching:trends")).context["trend"].meetings >= 20
        assert own.title in client.get(reverse("meetings:list")).content.decode()
        assert client.get(reverse("deals:list")).context["deals"]

    def test_manager_sees_a_finished_experiment_with_its_result(self, seeded, db, client):
        from experiments.models import Experiment

        experiment = Experiment.objects.get(team__name="Demo team")
        assert experiment.end_on < timezone.localdate()
        client.force_login(get_user_model().objects.get(username="demo-manager"))
        response = client.get(reverse("experiments:detail", args=[experiment.pk]), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert experiment.title in response.content.decode()

    def test_seeding_again_adds_nothing(self, seeded, db):
        from experiments.models import Experiment

        counts = (
            Meeting.objects.count(),
            Deal.objects.count(),
            Moment.objects.count(),
            Experiment.objects.count(),
        )
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        assert "already there" in out.getvalue()
        assert (
            Meeting.objects.count(),
            Deal.objects.count(),
            Moment.objects.count(),
            Experiment.objects.count(),
        ) == counts


@pytest.mark.django_db
def test_with_the_setting_off_only_the_logins_are_made(settings):
    settings.AIZUCHI_DEMO_HISTORY = False
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert set(REP_NAMES) <= set(get_user_model().objects.values_list("username", flat=True))
    assert "AIZUCHI_DEMO_HISTORY=0" in out.getvalue()
    assert not Meeting.objects.exists() and not Deal.objects.exists()


def test_the_generated_quarter_is_the_same_for_a_seed_and_held_on_weekdays_until_today():
    import datetime
    import itertools

    from demo.history import rep_history, webvtt
    from meetings.speakers import parse_transcript

    today = datetime.date(2026, 12, 4)  # a Friday
    first = rep_history(REPS[1], today=today, weeks=12, meetings=30, seed=7)
    assert first == rep_history(REPS[1], today=today, weeks=12, meetings=30, seed=7)
    meetings = [m for deal in first for m in deal.meetings]
    assert 20 <= len(meetings) <= 45
    assert all(m.held_on <= today and m.held_on.weekday() < 5 for m in meetings)
    assert all(d.closes_on is None or d.meetings[-1].held_on < d.closes_on <= today for d in first)
    segments = parse_transcript("x.vtt", webvtt(meetings[0].lines, seed=1).encode())
    assert [s.text for s in segments] == [line.text for line in meetings[0].lines]
    assert all(a.end <= b.start for a, b in itertools.pairwise(segments))
