"""The constraints a rule puts on where its match counts: speaker, position in the turn, whether
the sentence asks something, and regexes that must (or must not) occur around the match.

find_moments runs these on every raw match; they read only the turn's text and the turn
before, so the fast matcher and the spaCy reference share them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from coaching.engine.rules import compile_regex
from coaching.engine.types import Rule, Turn

_GAP = re.compile(r"^[\s、。,.!！?？…・ー〜~\-–—]*$")
# What may sit between the words of an opening run of acknowledgements without ending it.
FILLER = re.compile(
    r"^(?:[\s、。,.!！…・〜~\-–—]|ああ+|あー+|あ|おお+|おー+|はあ|へえ+|へー+|ほう|うー+ん|んー+|えー+|え|あのー*|oh|ah|wow|okay so"
    r"|um+|uh+|erm|hmm+)*$",
    re.IGNORECASE,
)
_SENT_END = re.compile(r"[。！!？?\n]")
_SENT_BREAK = re.compile(r"[。！!？?\n;；]|\.(?=\s)")
_JA_QUESTION_TAIL = re.compile(
    r"(?:か|かね|かな|かなあ|かしら|っけ|の|のん|でしょう|でしょうね|だろう|だろうね|ん?や?ろ|やろか"
    r"|ないん|なん|かいな|だべ|べ|っすか|のすか|[るたか]と)\s*[」』）)]*$"  # Kansai, Tohoku, Hakata tails
)
# Whisper drops the ？ of 「何かありますか」: a polite ending after an open question word still asks.
_JA_WH_POLITE = re.compile(
    r"(?:何か|なにか|どんな|どういう|どういった|どのような|どう(?![もぞ])|どれ(?!も)|どっち|どちら(?!も)|どこ(?!でも|も)"
    r"|(?:おすすめ|オススメ)(?:って|とか))[^。？?]*(?:ます|ません|です)$"
)
_EN_QUESTION_START = re.compile(
    r"^(?:(?:so|and|or|but|well|uh+|um+|hm+|like|i mean|you know)[,\s]+)*"  # spoken run-ins before the question
    r"(?:what|how|which|why|when|where|who|could|can|would|will|do|does|did|is|are|should|shall|have|has)\b",
    re.IGNORECASE,
)


def is_question(text: str, language: str) -> bool:
    """Whether a turn or sentence asks something, also when Whisper dropped the ？."""
    t = text.strip().rstrip("。.!！ 、,…")
    if not t:
        return False
    if t.endswith(("?", "？")):
        return True
    if language == "ja":
        return bool(
            _JA_QUESTION_TAIL.search(t.rstrip("ねよなぁー〜"))
            or _JA_QUESTION_TAIL.search(t)
            or _JA_WH_POLITE.search(re.split(r"[。！!]", t)[-1])
        )
    last = re.split(r"(?<=[.!?])\s+", t)[-1]
    return bool(_EN_QUESTION_START.match(last))


class ConstraintMemo:
    """Answers the constraint checks of one meeting ask again and again: several rules match at
    the same place, and a turn's question test or in-turn regex is the same for each match."""

    __slots__ = ("language", "questions", "tests")

    def __init__(self, language: str) -> None:
        self.language = language
        self.questions: dict[str, bool] = {}
        self.tests: dict[tuple[str, bool, str], bool] = {}

    def asks(self, text: str) -> bool:
        found = self.questions.get(text)
        if found is None:
            found = self.questions[text] = is_question(text, self.language)
        return found

    def hit(self, pattern: str, text: str, *, anchored: bool = False) -> bool:
        """Whether compile_regex(pattern).match (anchored) or .search finds something in text."""
        key = (pattern, anchored, text)
        found = self.tests.get(key)
        if found is None:
            rx = compile_regex(pattern)
            regexp = getattr(rx, "_regexp", None)
            if regexp is None:  # another re2 binding: the public API
                found = (rx.match(text) if anchored else rx.search(text)) is not None
            else:  # the wrapper's str API re-encodes and maps offsets back; only a yes/no is needed
                import re2

                data = text.encode()
                anchor = re2._Anchor.ANCHOR_START if anchored else re2._Anchor.UNANCHORED
                found = regexp.Match(anchor, data, 0, len(data))[0][0] >= 0
            self.tests[key] = found
        return found


def _sentence_after(text: str, end: int) -> str:
    m = _SENT_END.search(text, end)
    if m is None:
        return text[end:]
    return text[end : m.end()]


def _asks_after(
    text: str, end: int, language: str, start: int | None = None, memo: ConstraintMemo | None = None
) -> bool:
    """Whether the sentence running on from `end` is a question. Whisper may drop the ？ and
    put a space where 。 was, so every space up to the next sentence mark is tried as an end.
    In Japanese the clause from the match's start is kept in front, so a tail split by the match
    (「安いのはない|ん」) and a question word inside it (「何か…あり|ます」) are seen."""
    window = text[end : end + 80]
    stop = _SENT_END.search(window)
    limit = stop.end() if stop else len(window)
    cuts = [i for i, c in enumerate(window[:limit]) if c in " 　、,"] + [limit]
    head = ""
    if language == "ja" and start is not None:
        begin = max(text.rfind(c, 0, start) for c in "。！!？?\n 　、,") + 1
        head = text[max(begin, end - 30) : end]
    asks = (memo or ConstraintMemo(language)).asks
    return any(asks(head + window[:c]) for c in cuts if c > 0 or head) or (
        language != "ja" and asks(_sentence_of(text, end, end))
    )


def _two_sentences(text: str, start: int) -> str:
    """From `start` to the end of the following sentence (an outcome often comes one sentence later)."""
    ends = [m.end() for _, m in zip(range(2), _SENT_BREAK.finditer(text, start), strict=False)]
    return text[start : ends[-1]] if len(ends) == 2 else text[start:]


def _sentence_of(text: str, start: int, end: int) -> str:
    begin = max(text.rfind(c, 0, start) for c in "。！!？?\n") + 1
    return text[begin:start] + text[start:end] + _sentence_after(text, end)


def passes_constraints(
    rule: Rule,
    turns: Sequence[Turn],
    ti: int,
    s: int,
    e: int,
    language: str,
    memo: ConstraintMemo | None = None,
) -> bool:
    """Whether a raw match (turn `ti`, characters s..e) meets every constraint of its rule."""
    memo = memo or ConstraintMemo(language)
    turn = turns[ti]
    text = turn.text
    if rule.speaker and turn.speaker != rule.speaker:
        return False
    prev = turns[ti - 1] if ti > 0 else None
    if rule.after_other_speaker and (prev is None or not prev.speaker or prev.speaker == turn.speaker):
        return False
    if (
        rule.not_after_question
        and _GAP.match(text[:s])
        and prev is not None
        and prev.speaker != turn.speaker
        and memo.asks(prev.text)
    ):
        return False
    if rule.position == "initial" and not _GAP.match(text[:s]):
        return False
    if rule.position == "whole" and not (FILLER.match(text[:s]) and FILLER.match(text[e:])):
        return False
    if rule.not_question:
        after = _sentence_after(text, e)
        if language == "ja":  # 「なるほど、電池ですか。」: the echo after 、 is its own question
            after = re.split(r"[、,\s]", after, maxsplit=1)[0] if after[:1] not in "？?" else after
        if after.rstrip().endswith(("?", "？")) or (language == "ja" and memo.asks(after) and after.strip()):
            return False
        if language != "ja" and memo.asks(_sentence_of(text, s, e)):
            return False
    if rule.only_question and not _asks_after(text, e, language, s, memo):
        return False
    if rule.unless_followed_by and memo.hit(rule.unless_followed_by, text[e : e + 60], anchored=True):
        return False
    if rule.unless_preceded_by and memo.hit(rule.unless_preceded_by, text[max(0, s - 60) : s]):
        return False
    if rule.requires_after and not memo.hit(rule.requires_after, _two_sentences(text, s)):
        return False
    if rule.requires_before and (
        prev is None
        or not prev.speaker
        or prev.speaker == turn.speaker
        or not memo.hit(rule.requires_before, prev.text)
    ):
        return False
    if rule.requires_in_turn and not memo.hit(rule.requires_in_turn, text):
        return False
    return not (rule.unless_in_turn and memo.hit(rule.unless_in_turn, text))


def sentence_number(text: str, pos: int) -> int:
    """How many sentence breaks come before `pos` (per-sentence behaviours count once per sentence)."""
    return len(_SENT_BREAK.findall(text, 0, pos))
