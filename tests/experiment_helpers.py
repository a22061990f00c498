"""Helpers for the experiment tests: a team of reps and scored meetings without recordings."""

import datetime

from accounts.models import Profile
from coaching.models import MeetingScore
from meetings.models import Meeting
from tests.conftest import make_user

D = datetime.date
START, END = D(2026, 11, 2), D(2026, 11, 29)  # four weeks; the baseline is Oct 5 – Nov 1
TODAY = D(2026, 11, 1)  # the day the manager starts it


def add_reps(team, names):
    return [make_user(name, team, role=Profile.Role.REP) for name in names]


def scored(owner, held_on, outcome="", **kpis):
    """A done meeting with a score (as an imported transcript: no recording needed)."""
    meeting = Meeting.objects.create(
        owner=owner,
        team_id=owner.profile.team_id,
        title=f"Call {held_on}",
        held_on=held_on,
        original_filename="call.txt",
        status=Meeting.Status.DONE,
        outcome=outcome,
    )
    MeetingScore.objects.create(meeting=meeting, language="ja", kpis={}, **kpis)
    return meeting
