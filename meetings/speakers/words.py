"""Word-level speaker attribution: split a Whisper segment where the speaker changes.

Whisper groups speech by sense, not by voice, so a short 「はい、なるほど」 from the rep often
ends up inside the customer's sentence. With word timings each word is attributed on its own
(stereo: which channel leads during the word; mono: the voice of the stretch of speech between
two pauses that holds the word), and a segment becomes one segment per run of words by the same
speaker. Pure functions over samples and plain data; the voice encoder loads lazily (mono.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# A run of words this short (seconds), none of them clearly attributed, is too little evidence
# for a speaker change: it joins its neighbours.
MIN_RUN_S = 0.25
CLEAR_WORD_CONFIDENCE = 0.7
# Whisper gives the pause before a word to the word (「よろしく」 starts where the rep stopped),
# so a word's voice is judged on its last WORD_TAIL_S only.
WORD_TAIL_S = 0.4
# Turn-taking pauses are short (0.15-0.3 s before a 「はい」): phrases are cut at pauses this long.
PHRASE_PAUSE_MS = 60


@dataclass(frozen=True)
class WordSpan:
    start: float
    end: float
    text: str


def words_of(segment: Mapping[str, Any]) -> list[WordSpan]:
    """The words of a segment dict: Word objects, [start, end, text] lists (JSON) or nothing."""
    found = []
    for w in segment.get("words") or ():
        if isinstance(w, Mapping):
            start, end, text = w["start"], w["end"], w["text"]
        elif isinstance(w, list | tuple):
            start, end, text = w
        else:
            start, end, text = w.start, w.end, w.text
        found.append(WordSpan(float(start), float(max(end, start)), str(text)))
    return found


def join_words(words: Sequence[WordSpan]) -> str:
    """Words back to text: the engines keep their own spacing (none in Japanese, a leading space
    in English), so plain concatenation is right for both."""
    return "".join(w.text for w in words).strip()


def split_by_words(
    segments: Sequence[Mapping[str, Any]],
    segment_labels: Sequence[str],
    word_labels: Sequence[Sequence[str]],
    word_confidence: Sequence[Sequence[float]],
) -> tuple[list[dict[str, Any]], int]:
    """One output segment per run of same-speaker words; returns (segments, how many were split).

    A segment without words keeps its segment-level label. Runs too short and unclear to be a
    turn of their own are absorbed by their neighbours, so one mis-heard syllable does not make
    a one-character segment.
    """
    out: list[dict[str, Any]] = []
    splits = 0
    for segment, label, labels, confidence in zip(
        segments, segment_labels, word_labels, word_confidence, strict=True
    ):
        words = words_of(segment)
        base = {"start": segment["start"], "end": segment["end"], "text": segment["text"]}
        if not words:
            out.append({**base, "speaker": label})
            continue
        runs = _smoothed_runs(words, list(labels), list(confidence))
        if len(runs) == 1:
            out.append({**base, "speaker": runs[0][0]})
            continue
        splits += 1
        for speaker, run in runs:
            text = join_words(run)
            if text:
                out.append({"start": run[0].start, "end": run[-1].end, "text": text, "speaker": speaker})
    return out, splits


def _smoothed_runs(
    words: list[WordSpan], labels: list[str], confidence: list[float]
) -> list[tuple[str, list[WordSpan]]]:
    labels = list(labels)
    while True:
        runs = _runs(words, labels, confidence)
        weak = [
            i
            for i, (_, ws, cs) in enumerate(runs)
            if ws[-1].end - ws[0].start < MIN_RUN_S and max(cs) < CLEAR_WORD_CONFIDENCE
        ]
        if len(runs) == 1 or not weak:
            return [(speaker, ws) for speaker, ws, _ in runs]
        i = weak[0]
        before = runs[i - 1] if i > 0 else None
        after = runs[i + 1] if i + 1 < len(runs) else None
        # It joins the neighbour it is most likely part of: the longer one.
        if after is None or (before is not None and _length(before) >= _length(after)):
            target = before
        else:
            target = after
        assert target is not None  # there are at least two runs, so run i has a neighbour
        first = sum(len(ws) for _, ws, _ in runs[:i])
        labels[first : first + len(runs[i][1])] = [target[0]] * len(runs[i][1])


def _length(run: tuple[str, list[WordSpan], list[float]]) -> float:
    return run[1][-1].end - run[1][0].start


def _runs(
    words: list[WordSpan], labels: list[str], confidence: list[float]
) -> list[tuple[str, list[WordSpan], list[float]]]:
    runs: list[tuple[str, list[WordSpan], list[float]]] = []
    for word, label, conf in zip(words, labels, confidence, strict=True):
        if runs and runs[-1][0] == label:
            runs[-1][1].append(word)
            runs[-1][2].append(conf)
        else:
            runs.append((label, [word], [conf]))
    return runs


# ── mono: which voice is under each word ─────────────────────────────────────────────────────


def speech_phrases(speech: np.ndarray, *, frame_s: float) -> list[tuple[float, float]]:
    """Stretches of uninterrupted speech (runs of True in a VAD mask of `frame_s` frames).

    People take turns across a pause, however short, so a phrase rarely holds two voices; its
    0.3-0.5 s 「はい」 is still long enough for a voice embedding, where one word is not.
    """
    phrases = []
    padded = np.concatenate([[False], np.asarray(speech, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        phrases.append((start * frame_s, end * frame_s))
    return phrases


def words_to_phrases(
    word_spans: Sequence[Sequence[WordSpan]], phrases: Sequence[tuple[float, float]]
) -> list[list[int]]:
    """For each word, the phrase its end overlaps most (the nearest one when it overlaps none)."""
    if not phrases:
        return [[-1] * len(ws) for ws in word_spans]
    starts = np.array([p[0] for p in phrases])
    ends = np.array([p[1] for p in phrases])
    out = []
    for words in word_spans:
        row = []
        for w in words:
            overlap = np.minimum(ends, w.end) - np.maximum(starts, max(w.start, w.end - WORD_TAIL_S))
            if overlap.max() > 0:
                row.append(int(np.argmax(overlap)))
            else:
                middle = (w.start + w.end) / 2
                row.append(int(np.argmin(np.minimum(np.abs(starts - middle), np.abs(ends - middle)))))
        out.append(row)
    return out


def mono_word_labels(
    samples: np.ndarray,
    segments: Sequence[Mapping[str, Any]],
    *,
    enrolment: np.ndarray | None,
    speech: np.ndarray,
    frame_s: float,
) -> tuple[list[list[str]], list[list[float]]]:
    """Per word: "rep" or "customer" and a confidence, from the voice of the phrase it is in.

    The phrases under the transcript's words are attributed exactly as segments are (voice
    embeddings, clustering, the rep's group by enrolment), so each word gets its phrase's label.
    """
    from meetings.speakers.mono import attribute_mono

    word_spans = [words_of(s) for s in segments]
    phrases = speech_phrases(speech, frame_s=frame_s)
    owners = words_to_phrases(word_spans, phrases)
    used = sorted({i for row in owners for i in row if i >= 0})
    if not used:
        return [["customer"] * len(ws) for ws in word_spans], [[0.5] * len(ws) for ws in word_spans]
    result = attribute_mono(samples, [phrases[i] for i in used], enrolment)
    label_of = dict(zip(used, result.labels, strict=True))
    confidence_of = dict(zip(used, result.segment_confidence, strict=True))
    labels = [[label_of.get(i, "customer") for i in row] for row in owners]
    confidence = [[confidence_of.get(i, 0.5) for i in row] for row in owners]
    return labels, confidence
