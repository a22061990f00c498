"""Stored meetings with a transcript, analysed by the real engine, for the workbench tests."""

from datetime import date

from coaching.services import meeting_analyse

KANSAI_ASK = [
    ("rep", "本日はお時間ありがとうございます。"),
    ("customer", "現場の打刻漏れが多くて困ってるんですわ。"),
    ("rep", "なるほど。"),
    ("customer", "ほな、なんかええもん見繕うてくれへん？"),
    ("rep", "はい。スタンダードプランをご提案します。"),
]
STANDARD_ASK = [
    ("rep", "弊社の新プランをご紹介させてください。"),
    ("customer", "うちは人手が足りなくて困ってるんです。"),
    ("rep", "なるほど。"),
    ("customer", "どうしたら良いですか？"),
    ("rep", "はい。スタンダードプランをご提案します。"),
]


def stored_meeting(owner, lines, title="Meeting", language="ja"):
    from meetings.models import Meeting, Segment

    meeting = Meeting.objects.create(
        owner=owner,
        team_id=owner.profile.team_id,
        title=title,
        held_on=date(2026, 11, 2),
        audio="meetings/x/original.wav",
        original_filename="a.wav",
        language=language,
        status=Meeting.Status.DONE,
    )
    for i, (speaker, text) in enumerate(lines):
        Segment.objects.create(
            meeting=meeting, index=i, start=i * 10.0, end=i * 10.0 + 9, text=text, speaker=speaker
        )
    meeting_analyse(meeting=meeting)
    return meeting


KANSAI_RULE = {
    "key": "ja-ask-kansai-donaishitara",
    "behaviour": "customer_asks_for_proposal",
    "language": "ja",
    "kind": "regex",
    "pattern": "見繕うて(?:くれへん|くれまへん|もらえへん)",
    "speaker": "customer",
}


def ensure_default_rules():
    """Transactional tests flush the tables the migrations filled: put the default pack back
    as published version 1."""
    from coaching.engine.rules import default_pack
    from coaching.models import RuleSet
    from coaching.services import rule_pack_install
    from coaching.workbench.services import ruleset_publish

    if not RuleSet.objects.exists():
        rule_pack_install(pack=default_pack())
        ruleset_publish(actor=None, comment="default", source="default", rescore=False)
