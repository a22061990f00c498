"""Generate a large demo dataset: teams, reps, managers, meetings with plausible scores.

    manage.py generate_demo_data --meetings 100000 --reps 200 --teams 10

Fast: rows go in with bulk_create in batches; only scores are made (no audio, no transcripts),
so it is for the trend/team/list pages and their benchmark. Users are named demo-*; --reset
removes them (and their meetings) first. Passwords are all "demo-password".
"""

from __future__ import annotations

import datetime
import math
import random
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile, Team
from coaching.models import MeetingScore
from meetings.models import Meeting

CUSTOMERS = [
    "山田商事",
    "佐藤工業",
    "鈴木物流",
    "高橋製作所",
    "Globex",
    "Initech",
    "田中フーズ",
    "伊藤建設",
    "渡辺電機",
    "Umbrella",
    "中村薬品",
    "小林不動産",
    "加藤システム",
    "Acme",
    "吉田銀行",
    "山本保険",
]
BATCH = 5000


class Command(BaseCommand):
    help = "Create demo teams, reps and scored meetings (for the pages and their benchmark)."

    def add_arguments(self, parser):
        parser.add_argument("--meetings", type=int, default=100_000)
        parser.add_argument("--reps", type=int, default=200)
        parser.add_argument("--teams", type=int, default=10)
        parser.add_argument("--days", type=int, default=730, help="meetings spread over this many past days")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--reset", action="store_true", help="delete earlier demo users first")

    def handle(self, *args, meetings, reps, teams, days, seed, reset, **options):
        rng = random.Random(seed)
        users = get_user_model()
        if reset:
            users.objects.filter(username__startswith="demo-").delete()
            Team.objects.filter(name__startswith="Demo ").delete()
        password = make_password("demo-password")
        with transaction.atomic():
            team_rows = [Team.objects.get_or_create(name=f"Demo {i + 1:02d}")[0] for i in range(teams)]
            managers = []
            for i, team in enumerate(team_rows):
                user, _ = users.objects.get_or_create(
                    username=f"demo-manager-{i + 1:02d}", defaults={"password": password}
                )
                Profile.objects.update_or_create(
                    user=user, defaults={"team": team, "role": Profile.Role.MANAGER}
                )
                managers.append(user)
            existing = set(
                users.objects.filter(username__startswith="demo-rep-").values_list("username", flat=True)
            )
            users.objects.bulk_create(
                users(username=f"demo-rep-{i + 1:03d}", password=password, first_name=f"Rep {i + 1:03d}")
                for i in range(reps)
                if f"demo-rep-{i + 1:03d}" not in existing
            )
            rep_users = list(
                users.objects.filter(username__startswith="demo-rep-").order_by("username")[:reps]
            )
            Profile.objects.bulk_create(
                [Profile(user=u) for u in rep_users],
                ignore_conflicts=True,  # the signal may have made them
            )
            for i, user in enumerate(rep_users):
                Profile.objects.filter(user=user).update(team=team_rows[i % teams], role=Profile.Role.REP)
        # Each rep has a level and a drift, so trends and flags have something to show.
        skill = {u.pk: (rng.uniform(-1, 1), rng.uniform(-0.5, 0.5)) for u in rep_users}
        team_of = {u.pk: team_rows[i % teams].pk for i, u in enumerate(rep_users)}
        today = timezone.localdate()
        now = timezone.now()
        made = 0
        while made < meetings:
            n = min(BATCH, meetings - made)
            rows = []
            for _ in range(n):
                rep = rep_users[rng.randrange(len(rep_users))]
                age = rng.randrange(days)
                rows.append(
                    Meeting(
                        public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        owner_id=rep.pk,
                        team_id=team_of[rep.pk],
                        title=f"商談 {made + len(rows) + 1}",
                        held_on=today - datetime.timedelta(days=age),
                        customer_name=rng.choice(CUSTOMERS),
                        language="ja",
                        detected_language="ja",
                        audio="",
                        original_filename="demo.wav",
                        duration_seconds=rng.uniform(900, 4200),
                        status=Meeting.Status.DONE,
                        progress=1.0,
                        processed_at=now,
                    )
                )
            with transaction.atomic():
                created = Meeting.objects.bulk_create(rows, batch_size=1000)
                scores = [
                    self._score(rng, m, skill[m.owner_id], (today - m.held_on).days / days) for m in created
                ]
                MeetingScore.objects.bulk_create(scores, batch_size=1000)
                for m, score in zip(created, scores, strict=True):
                    m.outcome = self._outcome(rng, score, (today - m.held_on).days)
                Meeting.objects.bulk_update(created, ["outcome"], batch_size=1000)
            made += n
            self.stdout.write(f"{made} meetings")
        self.stdout.write(
            self.style.SUCCESS(f"{meetings} meetings for {len(rep_users)} reps in {teams} teams.")
        )

    @staticmethod
    def _outcome(rng: random.Random, score: MeetingScore, age_days: int) -> str:
        """A made-up deal outcome for the demo: recent deals are open; older ones are won more
        often with more asks and fewer premature proposals, so the team page has something to show."""
        if age_days < 21:
            return rng.choice(("open", ""))
        if rng.random() < 0.3:
            return ""  # not recorded
        x = -0.8 + 0.6 * score.asks - 0.8 * score.premature_proposals
        share = score.listening_window_customer_share
        assert share is not None  # _score always sets it
        x += 3 * (share - 0.55)
        return "won" if rng.random() < 1 / (1 + math.exp(-x)) else "lost"

    @staticmethod
    def _score(rng: random.Random, meeting: Meeting, skill: tuple[float, float], age: float) -> MeetingScore:
        level, drift = skill
        trend = level + drift * (1 - age)  # the drift shows over time
        asks = max(0, round(rng.gauss(1.5 + 0.6 * trend, 1)))
        proposals = max(0, round(rng.gauss(2 + 0.3 * trend, 1)))
        premature = max(0, min(proposals, round(rng.gauss(0.8 - 0.5 * trend, 0.7))))
        listening = min(max(rng.gauss(0.55 + 0.1 * trend, 0.1), 0.05), 0.95)
        talk = min(max(rng.gauss(0.5 - 0.08 * trend, 0.08), 0.1), 0.9)
        latency = round(rng.uniform(20, 600), 1) if asks and proposals else None
        values = {
            "asks": asks,
            "affirmations": max(0, round(rng.gauss(25 + 8 * trend, 6))),
            "case_studies": max(0, round(rng.gauss(1 + 0.5 * trend, 0.8))),
            "proposals": proposals,
            "premature_proposals": premature,
            "affirmations_per_customer_minute": round(max(rng.gauss(1.2 + 0.4 * trend, 0.3), 0), 3),
            "listening_window_customer_share": round(listening, 4),
            "rep_talk_share": round(talk, 4),
            "ask_to_proposal_latency_median": latency,
        }
        return MeetingScore(meeting=meeting, language="ja", kpis={"version": 1, **values}, **values)
