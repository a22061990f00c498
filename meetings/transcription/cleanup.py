"""Dropping what Whisper invents: segments the engine itself doubts, loops, and known phrases
it produces from silence or music."""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable

from meetings.transcription.config import COMPRESSION_RATIO_CEILING, LOGPROB_FLOOR, NO_SPEECH_PROB
from meetings.transcription.segments import RawSegment, TranscribedSegment

# Phrases Whisper produces from silence or music (subtitle credits of its training data).
# Matched against the whole segment after normalisation, so real speech containing them
# inside a sentence survives.
HALLUCINATION_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"^(ご視聴|ご清聴)(いただき|頂き)?(本当に)?ありがとうございました$",
        r"^(最後まで)?(ご視聴|ご覧)(いただき|頂き)?ありがとうございました$",
        r"^(ぜひ|是非)?チャンネル登録.*$",
        r"^.*(高評価|グッドボタン).*(お願いします|よろしく).*$",
        r"^字幕.*$",
        r"^(作成|提供|翻訳|編集)(者)?[:：].*$",
        r"^おやすみなさい$",
        r"^(thanks|thank you)( so much| very much)? for watching.*$",
        r"^(please )?(like and )?subscribe.*$",
        r"^subtitles? by .*$",
        r"^(transcription|translated|subtitled|captions?) by .*$",
        r"^.*amara\.org.*$",
        r"^(you|\.+)$",
    )
)
_REPEATED_UNIT = re.compile(r"(.{2,}?)\1{3,}")


def _normalise_for_match(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().strip()
    return re.sub(r"[\s。、．，,.!！?？♪「」『』()（）~〜ー-]+$", "", re.sub(r"^[\s♪「『(（-]+", "", text))


def is_hallucination(text: str) -> bool:
    """True for text Whisper is known to invent on silence (whole-segment match)."""
    norm = _normalise_for_match(text)
    return not norm or any(p.match(norm) for p in HALLUCINATION_PATTERNS)


def _compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / max(1, len(zlib.compress(data)))


def collapse_repeats(text: str) -> str:
    """「はいはいはいはいはい…」 loops → one unit; up to three genuine repeats are kept."""
    return _REPEATED_UNIT.sub(r"\1", text)


def worth_keeping(seg: RawSegment) -> bool:
    """False where the engine's own figures doubt a segment (silent and unsure, or looping) and for
    known hallucinations."""
    silent = seg.no_speech_prob is not None and seg.no_speech_prob > NO_SPEECH_PROB
    unsure = seg.avg_logprob is not None and seg.avg_logprob < LOGPROB_FLOOR
    if silent and unsure:
        return False
    ratio = seg.compression_ratio if seg.compression_ratio is not None else _compression_ratio(seg.text)
    if ratio > COMPRESSION_RATIO_CEILING:
        return False
    return not is_hallucination(seg.text)


def clean_segments(segments: Iterable[TranscribedSegment]) -> list[TranscribedSegment]:
    """Sort, strip, collapse loops, drop empties, and drop runs of 3+ identical lines to one."""
    out: list[TranscribedSegment] = []
    run = 0
    for seg in sorted(segments, key=lambda s: (s.start, s.end)):
        text = collapse_repeats(seg.text.strip())
        if not text or is_hallucination(text):
            continue
        if out and out[-1].text == text:
            run += 1
            if run >= 2:
                continue
        else:
            run = 0
        # Words stay only while they still spell the segment's text (a collapsed loop does not).
        words = seg.words if "".join(w.text for w in seg.words).strip() == text else ()
        out.append(TranscribedSegment(start=seg.start, end=max(seg.end, seg.start), text=text, words=words))
    return out
