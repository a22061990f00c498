"""Short turns that survive (transcription.islands): which speech counts as left without words,
and how islands are laid out for a decode of their own."""

from meetings.transcription.islands import ISLAND_GAP_S, ISLAND_PAD_S, island_windows, uncovered
from meetings.transcription.segments import TranscribedSegment, Word
from meetings.transcription.windows import SAMPLE_RATE

S = SAMPLE_RATE


def _segment(*words):
    return TranscribedSegment(
        start=words[0][0],
        end=words[-1][1],
        text="".join(w[2] for w in words),
        words=tuple(Word(*w) for w in words),
    )


def test_a_backchannel_between_two_decoded_sentences_is_an_island():
    # Fine VAD: 0-2.5 s, 2.7-3.0 s, 3.3-6 s; Whisper's words cover the first and last; the
    # 「はい」 between them was skipped.
    words = _segment((0.0, 2.5, "資金繰りが厳しくて"), (3.3, 6.0, "来月が山なんです"))
    regions = [(0, int(2.5 * S)), (int(2.7 * S), 3 * S), (int(3.3 * S), 6 * S)]
    assert uncovered(regions, [words], offset=0.0) == [(int(2.7 * S), 3 * S)]


def test_the_tail_of_a_written_word_is_not_decoded_again():
    # Whisper's timing ends 「なるほど」 at 1.0 s though the voice goes on to 1.4 s (one region).
    words = _segment((0.4, 1.0, "なるほど"))
    assert uncovered([(int(0.4 * S), int(1.4 * S))], [words], offset=0.0) == []


def test_covered_speech_breaths_and_long_dropped_stretches_are_not_islands():
    words = _segment((0.0, 2.5, "資金繰りが"), (2.6, 6.0, "厳しくて"))
    assert uncovered([(0, 6 * S)], [words], offset=0.0) == []  # every moment has a word
    assert uncovered([(int(7.0 * S), int(7.1 * S))], [words], offset=0.0) == []  # 0.1 s: a breath
    assert uncovered([(10 * S, 20 * S)], [words], offset=0.0) == []  # 10 s: not a short turn


def test_times_of_a_later_chunk_are_its_own():
    words = _segment((600.0, 601.0, "はい"))
    # the chunk starts at 600 s: its samples count from there
    assert uncovered([(0, 1 * S), (2 * S, int(2.5 * S))], [words], offset=600.0) == [(2 * S, int(2.5 * S))]


def test_islands_are_padded_and_kept_apart_by_silence_in_their_window():
    islands = [(2 * S, int(2.5 * S)), (10 * S, int(10.4 * S))]
    (window,) = island_windows(islands, total=20 * S)
    pad, gap = int(ISLAND_PAD_S * S), int(ISLAND_GAP_S * S)
    assert [(p.start, p.end) for p in window] == [
        (2 * S - pad, int(2.5 * S) + pad),
        (10 * S - pad, int(10.4 * S) + pad),
    ]
    first, second = window
    assert first.window_start == gap
    assert second.window_start == first.window_start + (first.end - first.start) + gap


def test_many_islands_fill_several_windows():
    islands = [(k * 3 * S, k * 3 * S + S) for k in range(40)]
    windows = island_windows(islands, total=130 * S)
    assert len(windows) > 1
    assert sum(len(w) for w in windows) == 40
    for w in windows:
        assert w[-1].window_start + (w[-1].end - w[-1].start) <= 28 * S
