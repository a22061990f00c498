"""Helpers shared by the page tests: a scored meeting without the engine, and a Japanese
meeting run through the real behaviour engine (spaCy/Sudachi, a few seconds the first time)."""

import datetime

from coaching.models import MeetingScore
from meetings.models import Segment
from tests.conftest import JFK_WAV

JA_TURNS = [
    ("customer", "本日はよろしくお願いします。最近、解約が増えていて困っているんです。"),
    ("rep", "そうですね。なるほど、それは大変ですね。"),
    ("customer", "御社でしたら、何から始めればいいと思いますか？"),
    ("rep", "弊社の事例では、ある銀行様で同じ課題を解決しました。"),
    ("rep", "はい、まずは小さく始めるプランをご提案させていただきます。"),
]


def score(meeting, **values) -> MeetingScore:
    """A MeetingScore with the given KPI columns (the rest empty)."""
    return MeetingScore.objects.create(meeting=meeting, language="ja", kpis={}, **values)


def scored_meeting(make_meeting, owner, held_on: datetime.date, **values):
    meeting = make_meeting(owner, held_on=held_on, title=f"Call {held_on}", customer_name="ACME")
    score(meeting, **values)
    return meeting


def analysed_ja_meeting(make_meeting, owner, *, title="定例商談", with_wav=True):
    """A meeting with Japanese rep/customer turns, analysed by the real engine; the 16 kHz WAV
    the pipeline would leave is put in place so the waveform has peaks."""
    from coaching.services import meeting_analyse
    from meetings import filestore
    from meetings.services import derived_audio_name

    meeting = make_meeting(owner, title=title, customer_name="山田商事", language="ja", duration_seconds=11.0)
    for i, (speaker, text) in enumerate(JA_TURNS):
        Segment.objects.create(
            meeting=meeting, index=i, start=i * 2.1, end=i * 2.1 + 2.0, text=text, speaker=speaker
        )
    meeting_analyse(meeting=meeting)
    if with_wav:
        filestore.save_file(derived_audio_name(meeting), JFK_WAV)
    return meeting


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
