"""Transcripts exported from Zoom, Teams and Meet, with speaker names, as plain segments.

Accepted: WebVTT (Teams voice tags `<v Name>text</v>`, Zoom's "Name: text" cues), SRT with
"Name: text" cues, and plain text with one "Name: text" line per turn (optionally led by a
timestamp such as `[00:01:23]`, or with timestamp-only lines as Meet writes them). A cue without a
name continues the previous speaker, as caption exports name the speaker only when it changes.
Plain text without any timestamps gets times estimated from text length, so order and
proportions hold but not the clock. Anything else raises TranscriptImportError with a message
for the user.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ImportedSegment:
    start: float
    end: float
    speaker_name: str
    text: str


class TranscriptImportError(ValueError):
    """The file cannot be read as a transcript; str(error) is written for the user."""

    code = "transcript"

    @property
    def message(self) -> str:  # the same attribute as audio.AudioError, so views treat both alike
        return str(self)


def _msg(text: str, **params: object) -> str:
    try:
        from django.utils.translation import gettext

        text = gettext(text)
    except Exception:  # no Django settings (a script): keep the English text
        pass
    return text % params if params else text


TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>(?P<text>.*?)(?:</v>|(?=<v[\s.])|$)", re.S)
TAG = re.compile(r"<[^>]*>")
# "Name: text" with an ASCII or full-width colon; a name is short and not a clock time or URL.
NAME_PREFIX = re.compile(r"^(?P<name>[^:：\d\s<>\[\]()][^:：<>\[\]]{0,39}?)\s*[:：]\s*(?P<text>.*)$", re.S)
PLAIN_TIME = re.compile(r"^\s*[\[(]?(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?)[\])]?\s*(?P<rest>.*)$")
SECONDS_PER_CHARACTER = 0.12


def parse_transcript(filename: str, data: bytes) -> list[ImportedSegment]:
    """Segments with speaker names from an uploaded transcript file (.vtt, .srt, .txt)."""
    text = _decode(data)
    if not text.strip():
        raise TranscriptImportError(_msg("The transcript file is empty."))
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    head = text.lstrip()
    if head.startswith("WEBVTT"):
        segments = _parse_cues(text, vtt=True)
    elif suffix == "vtt":
        raise TranscriptImportError(
            _msg("This is not a WebVTT file: it does not start with WEBVTT. Export the transcript again.")
        )
    elif suffix == "srt" or (suffix not in {"txt", "text", ""} and TIMING.search(text.split("\n", 3)[-1])):
        segments = _parse_cues(text, vtt=False)
    elif suffix in {"txt", "text", ""}:
        segments = _parse_plain(text)
    else:
        raise TranscriptImportError(
            _msg(
                "Unknown transcript format (.%(suffix)s). Upload WebVTT (.vtt), SubRip (.srt) or text (.txt).",
                suffix=suffix,
            )
        )
    if not segments:
        raise TranscriptImportError(_msg("No speech was found in the transcript file."))
    if not any(s.speaker_name for s in segments):
        raise TranscriptImportError(
            _msg(
                "The transcript has no speaker names. Export it with speaker names "
                '(for example "Name: text" lines).'
            )
        )
    return segments


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise TranscriptImportError(
                _msg("The file is not a text transcript (it could not be read as text).")
            )
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    if "\x00" in text or control > max(2, len(text) // 100):
        raise TranscriptImportError(_msg("The file is not a text transcript (it contains binary data)."))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _parse_cues(text: str, *, vtt: bool) -> list[ImportedSegment]:
    segments: list[ImportedSegment] = []
    speaker = ""
    found_timing = False
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        for i, line in enumerate(lines):
            timing = TIMING.match(line)
            if not timing:
                continue
            found_timing = True
            start, end = _seconds(timing["start"]), _seconds(timing["end"])
            if end < start:
                raise TranscriptImportError(
                    _msg(
                        "The transcript has a caption that ends before it starts (%(line)s).",
                        line=line.strip(),
                    )
                )
            body = "\n".join(lines[i + 1 :])
            for name, words in _speaker_spans(body, vtt=vtt):
                speaker = name or speaker
                segments.append(ImportedSegment(start, end, speaker, words))
            break
    if not found_timing:
        raise TranscriptImportError(_msg("No captions with times were found in the transcript file."))
    return _split_shared_cues(segments)


def _speaker_spans(body: str, *, vtt: bool) -> list[tuple[str, str]]:
    """(name, text) pieces of one cue: voice tags first, else a "Name: text" prefix."""
    spans = []
    if vtt and "<v" in body:
        for match in VOICE.finditer(body):
            spans.append((match["name"].strip(), _clean(match["text"])))
    if not spans:
        clean = _clean(body)
        prefix = NAME_PREFIX.match(clean)
        spans = [(prefix["name"].strip(), prefix["text"].strip())] if prefix else [("", clean)]
    return [(name, words) for name, words in spans if words]


def _clean(text: str) -> str:
    return " ".join(html.unescape(TAG.sub("", text)).split())


def _split_shared_cues(segments: list[ImportedSegment]) -> list[ImportedSegment]:
    """Several voices in one cue share its time in proportion to their text."""
    result: list[ImportedSegment] = []
    i = 0
    while i < len(segments):
        group = [segments[i]]
        while i + len(group) < len(segments) and (
            (segments[i + len(group)].start, segments[i + len(group)].end) == (group[0].start, group[0].end)
        ):
            group.append(segments[i + len(group)])
        if len(group) == 1:
            result.append(group[0])
        else:
            total = sum(len(s.text) for s in group) or 1
            t = group[0].start
            span = group[0].end - group[0].start
            for s in group:
                end = t + span * len(s.text) / total
                result.append(ImportedSegment(round(t, 3), round(end, 3), s.speaker_name, s.text))
                t = end
        i += len(group)
    return result


def _parse_plain(text: str) -> list[ImportedSegment]:
    turns: list[list] = []  # [start or None, name, text]
    clock: float | None = None
    for raw_line in text.split("\n"):
        line = raw_line.strip()
        if not line:
            continue
        timed = PLAIN_TIME.match(line)
        if timed:
            clock = _seconds(timed["time"])
            line = timed["rest"].strip()
            if not line:
                continue
        prefix = NAME_PREFIX.match(line)
        if prefix and prefix["text"].strip():
            turns.append([clock, prefix["name"].strip(), prefix["text"].strip()])
            clock = None
        elif turns:
            turns[-1][2] += " " + line
        else:
            turns.append([clock, "", line])
            clock = None
    segments = []
    t = 0.0
    for i, (start, name, words) in enumerate(turns):
        start = t if start is None else max(start, 0.0)
        estimate = start + max(1.0, len(words) * SECONDS_PER_CHARACTER)
        following = next((turn[0] for turn in turns[i + 1 :] if turn[0] is not None), None)
        end = min(estimate, following) if following is not None and following > start else estimate
        segments.append(ImportedSegment(round(start, 3), round(end, 3), name, words))
        t = end
    return segments
