"""Writes of the demo history: generated transcripts go through the product's own import path
(meeting_import_transcript → meeting_speakers_map → pipeline.analyse_imported), so every moment
and KPI the pages show is a real detection; deals are made and closed with the deals services.

Idempotent per rep: a rep who already has demo meetings (original file name starting with
DEMO_PREFIX) is skipped, and each rep is seeded in one transaction, so an interrupted run leaves
either the whole history of a rep or none of it. The rep's own uploads are never touched.
"""

from __future__ import annotations

import datetime
import random
import time
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from deals import services as deal_services
from deals.engine import deal_kpis
from deals.models import Deal
from deals.selectors import deal_facts
from demo.history import REPS, DealPlan, RepStyle, rep_history, webvtt, win_probability
from meetings import pipeline, transcript_import
from meetings import services as meeting_services
from meetings.models import Meeting

DEMO_PREFIX = "aizuchi-demo-"
SEED = 2026
WEEKS = 12  # the trend pages' default range: this week and the twelve before it
MEETINGS_PER_REP = 32


@dataclass
class SeedReport:
    reps_seeded: int = 0
    reps_skipped: int = 0
    meetings: int = 0
    deals: int = 0
    won: int = 0
    lost: int = 0
    seconds: float = 0.0
    experiment: bool = False


def demo_meetings(user: Any):
    return Meeting.objects.filter(owner=user, original_filename__startswith=DEMO_PREFIX)


def demo_history_seed(
    *, today: datetime.date | None = None, meetings_per_rep: int = MEETINGS_PER_REP, seed: int = SEED
) -> SeedReport:
    """Seed the demo reps (demo.history.REPS, who must exist) with a quarter of meetings and
    deals ending today; reps who already have theirs are left as they are."""
    started = time.monotonic()
    today = today or timezone.localdate()
    report = SeedReport()
    users = get_user_model().objects.in_bulk([s.username for s in REPS], field_name="username")
    for style in REPS:
        user = users[style.username]
        if demo_meetings(user).exists():
            report.reps_skipped += 1
            continue
        rep_seed = seed + zlib.crc32(style.username.encode())
        plans = rep_history(style, today=today, weeks=WEEKS, meetings=meetings_per_rep, seed=rep_seed)
        with transaction.atomic():
            _seed_rep(user, style, plans, random.Random(rep_seed), report)
        report.reps_seeded += 1
    report.experiment = demo_experiment_seed(today=today)
    report.seconds = time.monotonic() - started
    return report


EXPERIMENT_WEEKS = 6


def demo_experiment_seed(*, today: datetime.date) -> bool:
    """One finished experiment over the seeded quarter, so the Experiments page shows a result:
    a random half of the demo team was to let the customer ask for a proposal in at least 60% of
    its meetings during the last six weeks. It was "started" on its first day (the service
    refuses a start in the past), through the same service a manager uses; the result is what
    the experiments engine makes of the seeded meetings and deals. False when the team already
    has one (seeding again adds nothing) or the demo team is missing."""
    from accounts.models import Team
    from experiments.models import Experiment
    from experiments.services import experiment_start

    team = Team.objects.filter(name="Demo team").first()
    manager = get_user_model().objects.filter(username="demo-manager").first()
    if team is None or manager is None or Experiment.objects.filter(team=team).exists():
        return False
    start_on = today - datetime.timedelta(weeks=EXPERIMENT_WEEKS)
    experiment_start(
        team=team,
        created_by=manager,
        title="提案の前にお客様から聞いてもらう",
        behaviour="asks",
        start_on=start_on,
        end_on=today - datetime.timedelta(days=1),
        target_share=0.6,
        seed=SEED,
        today=start_on,
    )
    return True


def _seed_rep(
    user: Any, style: RepStyle, plans: list[DealPlan], rng: random.Random, report: SeedReport
) -> None:
    deals: list[tuple[Deal, DealPlan, list[Meeting]]] = []
    for d, plan in enumerate(plans):
        deal = deal_services.deal_create(
            owner=user,
            customer_name=plan.customer,
            name=plan.name,
            opened_on=plan.opened_on,
            stage=_open_stage(len(plan.meetings)),
            amount=Decimal(plan.amount),
        )
        meetings = []
        for i, meeting_plan in enumerate(plan.meetings):
            upload = SimpleUploadedFile(
                f"{DEMO_PREFIX}{style.username}-{d + 1:02d}-{i + 1}.vtt",
                webvtt(meeting_plan.lines, seed=rng.randrange(1 << 30)).encode(),
                content_type="text/vtt",
            )
            meeting = transcript_import.meeting_import_transcript(
                owner=user,
                uploaded_file=upload,
                title=meeting_plan.title,
                held_on=meeting_plan.held_on,
                customer_name=plan.customer,
                language=Meeting.Language.JA,
            )
            roles = {line.speaker: line.role for line in meeting_plan.lines}
            transcript_import.meeting_speakers_map(meeting=meeting, mapping=roles, enqueue=False)
            pipeline.analyse_imported(meeting)
            deal_services.deal_attach_meeting(deal=deal, meeting=meeting)
            uploaded = _moment(meeting_plan.held_on, rng, earliest=18)
            Meeting.objects.filter(pk=meeting.pk).update(
                created_at=uploaded,
                updated_at=uploaded,
                processed_at=uploaded + datetime.timedelta(seconds=20),
            )
            meetings.append(meeting)
        Deal.objects.filter(pk=deal.pk).update(created_at=_moment(plan.opened_on, rng, earliest=9))
        deals.append((deal, plan, meetings))
        report.meetings += len(meetings)
    report.deals += len(deals)
    _close_deals(style, deals, rng, report)


def _close_deals(
    style: RepStyle, deals: list[tuple[Deal, DealPlan, list[Meeting]]], rng: random.Random, report: SeedReport
) -> None:
    """Won or lost by the KPIs the product found in the deal's meetings (win_probability)."""
    facts = {f.deal_id: f for f in deal_facts(Deal.objects.filter(pk__in=[d.pk for d, _p, _m in deals]))}
    for deal, plan, meetings in deals:
        outcome: str = Meeting.Outcome.OPEN  # the meeting's word for an open deal
        if plan.closes_on is not None:
            won = rng.random() < win_probability(style, deal_kpis(facts[deal.pk]))
            outcome = Deal.Outcome.WON if won else Deal.Outcome.LOST
            report.won += won
            report.lost += not won
            deal_services.deal_update(
                deal=deal,
                stage=Deal.Stage.CLOSED,
                outcome=outcome,
                closed_on=plan.closes_on,
                amount=deal.amount,
            )
        recorded = _moment(plan.closes_on or meetings[-1].held_on, rng, earliest=17)
        for meeting in meetings:
            meeting_services.meeting_outcome_set(meeting=meeting, outcome=outcome)
        Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(outcome_updated_at=recorded)


def _open_stage(meetings: int) -> str:
    return (Deal.Stage.DISCOVERY, Deal.Stage.PROPOSAL, Deal.Stage.NEGOTIATION)[min(meetings, 3) - 1]


def _moment(day: datetime.date, rng: random.Random, *, earliest: int) -> datetime.datetime:
    """A time on that day in working hours, no earlier than `earliest` o'clock."""
    minutes = rng.randint(earliest * 60, max(earliest * 60, 19 * 60))
    at = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
    return timezone.make_aware(at)
