"""A quarter of sales meetings for the demo reps, generated from phrase banks. Pure: plain data
in and out, a seeded random generator, no database.

Each rep has a style (how often they affirm, pitch before being asked, tell a case study, let
the customer talk) that drifts over the quarter, so the team view shows differences and flags.
Customers ask for a proposal more often when the rep listens and affirms. Which deals are won
is not decided here: demo.services decides it from what the product's rules actually found
(win_probability), so the evidence page measures detections, not numbers made up beside them.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from deals.engine import DealKpis
from demo import phrases as P

SECONDS_PER_CHARACTER = 0.2  # 300 characters a minute, an unhurried Japanese pace


@dataclass(frozen=True)
class RepStyle:
    username: str
    first_name: str  # as the product shows it
    speaker: str  # the rep's name in the transcripts
    skill: float  # win log-odds whatever the behaviour
    # Each (start of the quarter, end of the quarter), interpolated by date:
    affirm: tuple[float, float]  # chance a reply opens with an affirmation
    premature: tuple[float, float]  # chance of pitching before the customer has asked
    case_study: tuple[float, float]  # chance of a case study when asked
    talk: tuple[float, float]  # sentences per customer turn (listening)


REPS = (
    RepStyle("demo-rep", "Sato (rep)", "佐藤", 0.3, (0.7, 0.75), (0.25, 0.15), (0.75, 0.8), (2.4, 2.5)),
    # Pitches early, more and more: the team view flags rising premature proposals.
    RepStyle("demo-rep2", "Suzuki (rep)", "鈴木", -0.2, (0.35, 0.3), (0.05, 0.95), (0.4, 0.35), (1.8, 1.6)),
    # New on the team and learning to listen: affirmations and listening rise.
    RepStyle("demo-rep3", "Takahashi (rep)", "高橋", -0.4, (0.2, 0.7), (0.4, 0.2), (0.3, 0.6), (1.3, 2.3)),
    # Tells good stories but talks over the customer more as the quarter goes on.
    RepStyle("demo-rep4", "Ito (rep)", "伊藤", 0.1, (0.55, 0.35), (0.3, 0.4), (0.8, 0.8), (2.4, 1.1)),
)


@dataclass(frozen=True)
class Line:
    role: str  # "rep" | "customer"
    speaker: str
    text: str


@dataclass(frozen=True)
class MeetingPlan:
    held_on: datetime.date
    title: str
    lines: tuple[Line, ...]
    planned: frozenset[str]  # behaviours written into it, for checks: "ask", "premature", "case", "proposal"


@dataclass(frozen=True)
class DealPlan:
    customer: str
    name: str
    amount: int  # yen
    opened_on: datetime.date
    meetings: tuple[MeetingPlan, ...]
    closes_on: datetime.date | None  # None: still open today


@dataclass
class _Meeting:
    """What one meeting is being written with."""

    style: RepStyle
    rng: random.Random
    progress: float  # 0 at the start of the quarter, 1 today
    warmth: float  # the deal's own mood, shared by its meetings
    rep: str
    contacts: tuple[str, ...]
    company: str
    topic: dict
    plan: tuple[str, str]
    used: set[str] = field(default_factory=set)

    def pick(self, *pools: Sequence[str]) -> str:
        """One line of the pools, not yet said in this meeting if any is left."""
        options = [line for pool in pools for line in pool]
        line = self.rng.choice([o for o in options if o not in self.used] or options)
        self.used.add(line)
        return line

    def mix(self, pair: tuple[float, float]) -> float:
        return pair[0] + (pair[1] - pair[0]) * self.progress

    def fill(self, text: str) -> str:
        return text.format(
            company=self.company,
            rep=self.style.speaker,
            plan=self.plan[0],
            price=self.plan[1],
            trial=self.rng.choice(P.TRIALS),
        )


def rep_history(
    style: RepStyle, *, today: datetime.date, weeks: int, meetings: int, seed: int
) -> list[DealPlan]:
    """About `meetings` meetings in deals of one to four meetings, held on weekdays over the
    last `weeks` weeks (none after today); a deal whose close date would come after today is open."""
    rng = random.Random(seed)
    start = today - datetime.timedelta(weeks=weeks)
    span = (today - start).days or 1
    companies = list(P.COMPANIES)
    rng.shuffle(companies)
    deals: list[DealPlan] = []
    gap = span / max(meetings / 2.2, 1)  # days between deals, for about `meetings` meetings
    opened = start + datetime.timedelta(days=rng.randint(0, 3))
    while opened < today:
        company = companies[len(deals) % len(companies)]
        planned = rng.choices((1, 2, 3, 4), weights=(2.5, 4, 2.5, 1))[0]
        dates = [_weekday(opened)]
        for _ in range(planned - 1):
            dates.append(_weekday(dates[-1] + datetime.timedelta(days=rng.randint(4, 10))))
        held = [d for d in dates if d <= today]
        if not held:  # opened at the weekend before today
            break
        closes_on: datetime.date | None = held[-1] + datetime.timedelta(days=rng.randint(1, 8))
        if len(held) < planned or (closes_on and closes_on > today):
            closes_on = None
        deals.append(_deal(style, rng, company, held, closes_on, start, span))
        opened += datetime.timedelta(days=rng.randint(round(gap * 0.6), round(gap * 1.4)))
    return deals


def _weekday(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _deal(
    style: RepStyle,
    rng: random.Random,
    company: tuple[str, str],
    held: list[datetime.date],
    closes_on: datetime.date | None,
    start: datetime.date,
    span: int,
) -> DealPlan:
    topic_key = rng.choice(sorted(P.TOPICS))
    topic = P.TOPICS[topic_key]
    plan = rng.choice(P.PLANS)
    contacts = tuple(rng.sample(P.CONTACTS, rng.choice((1, 1, 2))))
    warmth = rng.uniform(-0.2, 0.2)
    asked = False
    out = []
    for i, day in enumerate(held):
        m = _Meeting(
            style,
            rng,
            min(max((day - start).days / span, 0.0), 1.0),
            warmth,
            style.speaker,
            tuple(f"{c}（{company[0]}）" for c in contacts),
            company[0],
            topic,
            plan,
        )
        lines, planned = _meeting_lines(m, first=i == 0, asked_before=asked)
        asked = asked or "ask" in planned
        title = f"{company[0]} {topic['deal']}（{'初回' if i == 0 else f'{i + 1}回目'}）"
        out.append(MeetingPlan(day, title, tuple(lines), frozenset(planned)))
    amount = {"ライトプラン": 600_000, "スタンダードプラン": 1_440_000, "プロプラン": 3_000_000}[plan[0]]
    return DealPlan(
        company[1] + company[0],
        str(topic["deal"]),
        amount * rng.choice((1, 1, 2, 3)),
        held[0],
        tuple(out),
        closes_on,
    )


def _meeting_lines(m: _Meeting, *, first: bool, asked_before: bool) -> tuple[list[Line], set[str]]:
    rng, topic = m.rng, m.topic
    lines: list[Line] = []
    planned: set[str] = set()

    def rep(text: str) -> None:
        lines.append(Line("rep", m.rep, m.fill(text)))

    def customer(*texts: str) -> None:
        lines.append(Line("customer", rng.choice(m.contacts), " ".join(texts)))

    if first:
        rep(rng.choice(P.REP_GREETINGS))
        customer(rng.choice(P.CUSTOMER_GREETINGS))
        rep(rng.choice(P.REP_OPENING_QUESTIONS))
    else:
        rep(rng.choice(P.REP_FOLLOWUPS))
        customer(rng.choice(P.CUSTOMER_FOLLOWUPS))
    affirm = min(max(m.mix(m.style.affirm) + m.warmth, 0.0), 1.0)
    talk = max(m.mix(m.style.talk) + m.warmth * 2, 1.0)
    said = list(topic["details"]) + rng.sample(P.CUSTOMER_CONTEXT, 4)
    rng.shuffle(said)
    if first:
        said += rng.sample(topic["pains"], 2)  # popped first: a first meeting opens on the pain
    exchanges = rng.randint(7, 10) if first else rng.randint(4, 7)
    monologue = min(max(1.0 - talk / 3, 0.1), 0.8)  # who lets the customer talk less talks more
    # A keen pitcher (chance over one half) may pitch twice before the customer asks.
    premature = m.mix(m.style.premature)
    pitches = int(rng.random() < premature) + int(rng.random() < 2 * premature - 1)
    pitch_at = set(rng.sample(range(1, exchanges), pitches))
    affirmed = 0
    for turn in range(exchanges):
        sentences = [said.pop() for _ in range(min(_count(rng, talk), len(said)))] or [
            m.pick(P.CUSTOMER_SHORT)
        ]
        if len(sentences) > 1 and rng.random() < affirm:
            customer(sentences[0])  # a short 「はい」 between two of the customer's sentences
            rep(rng.choice(P.BACKCHANNELS))
            customer(*sentences[1:])
            affirmed += 1
        else:
            customer(*sentences)
        if turn in pitch_at:
            rep(m.pick(P.PREMATURE_PITCHES))
            customer(m.pick(P.CUSTOMER_PUSHBACK))
            planned.add("premature")
        elif rng.random() < affirm:
            follow = m.pick(topic["reflections"], topic["questions"])
            rep(rng.choice(P.AFFIRM_OPENERS) + follow)
            affirmed += 1
        elif rng.random() < monologue:
            rep(m.pick(P.REP_MONOLOGUES) + m.pick(topic["questions"], P.GENERIC_QUESTIONS))
        else:
            rep(m.pick(topic["questions"], P.GENERIC_QUESTIONS))
    ask_chance = 0.15 + 0.45 * affirmed / exchanges + 0.08 * talk + m.warmth + (0.1 if asked_before else 0.0)
    if rng.random() < ask_chance:
        customer(rng.choice(P.ASK_LEADS), rng.choice(P.ASKS))
        planned.add("ask")
        if rng.random() < m.mix(m.style.case_study):
            rep(rng.choice(topic["cases"]))
            customer(m.pick(P.CUSTOMER_REACTIONS))
            planned.add("case")
        if rng.random() < 0.8:
            rep(rng.choice(P.PROPOSALS))
            planned.add("proposal")
        else:
            rep(rng.choice(P.DEFERRALS))
        if rng.random() < 0.4:
            customer(rng.choice(P.OBJECTIONS))
            rep(rng.choice(P.OBJECTION_ANSWERS))
    elif rng.random() < m.mix(m.style.case_study) / 3:
        rep(rng.choice(topic["cases"]))  # a story nobody asked for
        customer(m.pick(P.CUSTOMER_REACTIONS))
        planned.add("case")
    if lines[-1].role == "rep":
        customer(rng.choice(P.CUSTOMER_WRAPUPS))
    rep(rng.choice(P.REP_CLOSINGS))
    customer(rng.choice(P.CUSTOMER_CLOSINGS))
    return lines, planned


def _count(rng: random.Random, mean: float) -> int:
    """Sentences in a customer turn: 1 or more, `mean` on average."""
    return 1 + min(int(rng.expovariate(1 / max(mean - 1, 0.05))), 4)


def webvtt(lines: tuple[Line, ...], *, seed: int) -> str:
    """A Zoom-style WebVTT export ("Name: text" cues), timed by the length of what is said."""
    rng = random.Random(seed)
    t = rng.uniform(1.0, 4.0)
    cues = ["WEBVTT", ""]
    for i, line in enumerate(lines, 1):
        length = max(len(line.text) * SECONDS_PER_CHARACTER * rng.uniform(0.85, 1.2), 0.8)
        cues += [str(i), f"{_stamp(t)} --> {_stamp(t + length)}", f"{line.speaker}: {line.text}", ""]
        t += length + rng.uniform(0.2, 1.5)
    return "\n".join(cues)


def _stamp(seconds: float) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"


def win_probability(style: RepStyle, kpis: DealKpis) -> float:
    """The chance a deal is won, from its KPIs as the product measured them (deals.engine
    DealKpis): the rep's skill, plus drawing the ask out early, a case study, listening, and
    minus pitching before being asked. The planted effects the demo's evidence page can find."""
    z = style.skill - 0.5
    if kpis.meetings_until_ask is not None:
        z += 1.4 if kpis.meetings_until_ask <= 2 else 0.5
    if kpis.case_study_meetings:
        z += 0.6
    z -= 1.2 * (kpis.premature_share or 0.0)
    if kpis.listening_share is not None:
        z += 3.0 * (kpis.listening_share - 0.5)
    return 1 / (1 + math.exp(-z))
