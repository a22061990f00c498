"""The audio seam against real ffmpeg: what a rep sees for each bad upload, and that good ones decode.

Every input is generated here (numpy for speech-like signals, ffmpeg for containers), so the tests
need no fixture files; a "speech-like" signal is a voiced harmonic tone whose loudness rises and
falls four times a second, like syllables.
"""

import itertools
import pickle
import subprocess
import tracemalloc
import wave
import zipfile
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.utils import translation

from meetings import audio
from meetings.audio import (
    SUPPORTED_EXTENSIONS,
    AudioError,
    ProbeInfo,
    check_extension,
    decode_to_wav,
    plan_chunks,
    probe,
    read_samples,
    validate,
    wav_duration,
)
from meetings.audio import decode as audio_decode

SR = 16_000


# --- generators ------------------------------------------------------------------------------------


def speech_like(seconds: float, *, level_dbfs: float = -20.0, seed: int = 0, sr: int = SR) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * sr)) / sr
    f0 = 140 + 30 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 6))
    syllables = 0.6 + 0.4 * np.sin(2 * np.pi * 4.0 * t + rng.uniform(0, 2 * np.pi))
    x = voice * syllables + 0.05 * rng.standard_normal(t.size)
    return x * (10 ** (level_dbfs / 20) / np.sqrt(np.mean(x**2)))


def noise(seconds: float, *, level_dbfs: float, seed: int = 1, sr: int = SR) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(round(seconds * sr)) * 10 ** (level_dbfs / 20)


def write_wav(path: Path, x: np.ndarray, sr: int = SR) -> Path:
    frames = np.clip(np.round(np.asarray(x) * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1 if frames.ndim == 1 else frames.shape[1])
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(frames.tobytes())
    return path


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def assert_tells_the_rep(err: AudioError, code: str, *words: str) -> None:
    """The code is right and the message is one plain sentence (or two) a rep can act on."""
    assert err.code == code, err.detail
    message = err.message
    assert isinstance(message, str)
    assert message[0].isupper() and message.endswith("."), message
    assert len(message.split()) >= 10, message
    assert "Please" in message, "the message should say what to do"
    for jargon in ("ffmpeg", "ffprobe", "Errno", "Traceback", "stream #", "codec_type"):
        assert jargon not in message, message
    for word in words:
        assert word.lower() in message.lower(), (word, message)


@pytest.fixture(autouse=True)
def english():
    # Messages are translated when raised; assert on the English source text.
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory) -> Path:
    return write_wav(tmp_path_factory.mktemp("speech") / "speech.wav", speech_like(20.0))


@pytest.fixture(scope="module")
def long_tone_flac(tmp_path_factory) -> Path:
    """30 minutes of a 300 Hz tone at 8 kHz: 6.8 MB of FLAC that decodes to a 57.6 MB WAV."""
    path = tmp_path_factory.mktemp("long") / "tone30min.flac"
    ffmpeg("-f", "lavfi", "-i", "sine=f=300:r=8000:d=1800", "-c:a", "flac", str(path))
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# --- rejected uploads ------------------------------------------------------------------------------


def test_empty_upload_is_rejected_as_empty(tmp_path):
    # Given a 0-byte file named like a recording
    path = tmp_path / "meeting.mp3"
    path.write_bytes(b"")
    # When it is probed, then the rep is told it is empty and to upload again
    with pytest.raises(AudioError) as exc:
        probe(path)
    assert_tells_the_rep(exc.value, "empty", "empty", "upload")


def test_missing_file_is_reported_as_missing(tmp_path):
    with pytest.raises(AudioError) as exc:
        probe(tmp_path / "gone.m4a")
    assert_tells_the_rep(exc.value, "missing", "upload")


@pytest.mark.parametrize(
    ("kind", "looks_like"),
    [("png", "an image"), ("text", "text"), ("docx", "a ZIP archive or an Office document")],
)
def test_non_recording_renamed_to_mp3_is_not_media(tmp_path, kind, looks_like):
    # Given an image, a text file or a Word document renamed to .mp3
    path = tmp_path / "meeting.mp3"
    if kind == "png":
        ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64:rate=1", "-frames:v", "1", str(tmp_path / "a.png"))
        (tmp_path / "a.png").rename(path)
    elif kind == "text":
        path.write_text("議事録: 次回の提案書は来週までに送付します。\n" * 50, encoding="utf-8")
    else:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("word/document.xml", "<w:document/>")
    # When probed, then the rep hears what it is, not that its audio track is missing
    with pytest.raises(AudioError) as exc:
        probe(path)
    assert_tells_the_rep(exc.value, "not_media", f"not an audio or video file (it looks like {looks_like})")


def test_video_without_sound_is_no_audio(tmp_path):
    # Given a screen recording made with the microphone off
    path = tmp_path / "screen.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2", "-c:v", "mpeg4", str(path))
    with pytest.raises(AudioError) as exc:
        probe(path)
    assert_tells_the_rep(exc.value, "no_audio", "no audio track", "video with sound")


def test_recording_over_the_limit_is_too_long(tmp_path):
    # Given a two-hour recording (silent FLAC at 1 kHz: half a megabyte, made in a fraction of a second)
    path = tmp_path / "all-day.flac"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=1000:cl=mono", "-t", "7200", "-c:a", "flac", str(path))
    info = probe(path)
    assert info.duration == pytest.approx(7200, abs=1)
    # When the limit is one hour, then the message gives both lengths in words
    with pytest.raises(AudioError) as exc:
        validate(info, max_duration_seconds=3600)
    assert_tells_the_rep(exc.value, "too_long", "2 hours", "at most 1 hour", "split")
    # and under the configured limit (4 h by default) it is accepted
    validate(info, max_duration_seconds=max(settings.AIZUCHI_MAX_DURATION_SECONDS, 7200))


@pytest.mark.parametrize(
    ("seconds", "length"),
    [(4 * 3600 + 12 * 60 + 5, "4 hours 13 minutes long"), (4 * 3600 + 20, "4 hours 1 minute long")],
)
def test_limit_message_never_shows_the_length_as_equal_to_the_limit(seconds, length):
    # Given a recording just or well over a four-hour limit
    info = ProbeInfo(duration=seconds, channels=1, sample_rate=16000, format_name="wav", codec="pcm_s16le",
                     has_video=False)  # fmt: skip
    # Then the message rounds its length up, so it always reads as longer than the limit
    with pytest.raises(AudioError) as exc:
        validate(info, max_duration_seconds=4 * 3600)
    assert_tells_the_rep(exc.value, "too_long", length, "at most 4 hours")


def test_recording_of_no_length_is_empty():
    info = ProbeInfo(duration=0.0, channels=1, sample_rate=16000, format_name="wav", codec="pcm_s16le",
                     has_video=False)  # fmt: skip
    with pytest.raises(AudioError) as exc:
        validate(info, max_duration_seconds=3600)
    assert_tells_the_rep(exc.value, "empty", "no audio")


@pytest.mark.parametrize("filename", ["notes.txt", "proposal.docx", "meeting", "recording.mp3.exe"])
def test_unsupported_extension_lists_the_accepted_formats(filename):
    with pytest.raises(AudioError) as exc:
        check_extension(filename)
    assert_tells_the_rep(exc.value, "unsupported", "MP3", "M4A", "WAV", "WEBM")
    if "." in filename:
        assert "." + filename.rsplit(".", 1)[1] in exc.value.message


def test_every_supported_extension_is_accepted_in_any_case():
    for ext in SUPPORTED_EXTENSIONS:
        check_extension(f"商談 2024-05-01.{ext}")
        check_extension(f"MEETING.{ext.upper()}")


def test_truncated_mp3_says_how_much_could_be_read(tmp_path, speech_wav):
    # Given a 20-second MP3 whose upload stopped halfway (the header still says 20 s)
    whole = tmp_path / "whole.mp3"
    ffmpeg("-i", str(speech_wav), "-c:a", "libmp3lame", "-b:a", "32k", str(whole))
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    info = probe(cut)
    assert info.duration == pytest.approx(20, abs=0.2)
    # When decoded, then the rep learns that only about half was readable
    out = tmp_path / "cut.wav"
    with pytest.raises(AudioError) as exc:
        decode_to_wav(cut, out, expected_duration=info.duration)
    assert_tells_the_rep(
        exc.value, "truncated", "only the first", "of this recording (20 seconds in total)", "complete file"
    )
    read_seconds = int(exc.value.message.split("first ")[1].split(" second")[0])
    assert 8 <= read_seconds <= 12
    # and nothing half-written is left behind
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_whole_mp3_is_not_mistaken_for_truncated(tmp_path, speech_wav):
    whole = tmp_path / "whole.mp3"
    ffmpeg("-i", str(speech_wav), "-c:a", "libmp3lame", "-b:a", "32k", str(whole))
    info = probe(whole)
    decoded = decode_to_wav(whole, tmp_path / "whole.wav", expected_duration=info.duration)
    assert decoded.duration == pytest.approx(20, abs=0.1)


def test_m4a_cut_before_its_index_is_incomplete(tmp_path, speech_wav):
    # Given an M4A from a phone whose upload stopped before the index at the end of the file
    whole = tmp_path / "voice-memo.m4a"
    ffmpeg("-i", str(speech_wav), "-c:a", "aac", "-b:a", "48k", str(whole))
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(AudioError) as exc:
        probe(cut)
    assert_tells_the_rep(exc.value, "truncated", "incomplete", "complete file")


@pytest.mark.parametrize("kind", ["digital silence", "muted microphone hiss"])
def test_silent_recording_is_rejected(tmp_path, kind):
    # Given a recording with no sound: exact zeros, or a -75 dBFS noise floor
    path = tmp_path / "muted.m4a"
    if kind == "digital silence":
        ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "8", "-c:a", "aac", str(path))
    else:
        ffmpeg(
            "-i", str(write_wav(tmp_path / "hiss.wav", noise(8, level_dbfs=-75))), "-c:a", "aac", str(path)
        )
    info = probe(path)
    out = tmp_path / "muted.wav"
    with pytest.raises(AudioError) as exc:
        decode_to_wav(path, out, expected_duration=info.duration)
    assert_tells_the_rep(exc.value, "no_speech", "no speech was found", "microphone")
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_quiet_meeting_with_a_little_speech_is_not_silent(tmp_path):
    # Given 40 s of room noise with two seconds of quiet speech (-35 dBFS) in the middle
    x = noise(40, level_dbfs=-72)
    x[SR * 20 : SR * 22] += speech_like(2, level_dbfs=-35)
    path = write_wav(tmp_path / "quiet.wav", x)
    decoded = decode_to_wav(path, tmp_path / "out.wav", expected_duration=probe(path).duration)
    assert decoded.duration == pytest.approx(40, abs=0.01)


def test_decoding_a_non_recording_without_probing_fails_cleanly(tmp_path):
    path = tmp_path / "photo.mp3"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64:rate=1", "-frames:v", "1", "-f", "image2", str(path))
    out = tmp_path / "out.wav"
    with pytest.raises(AudioError) as exc:
        decode_to_wav(path, out)
    assert_tells_the_rep(exc.value, "decode_failed", "could not be decoded")
    assert exc.value.detail  # ffmpeg's own words go to the log
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_hung_decode_is_stopped_and_reported(tmp_path, long_tone_flac, monkeypatch):
    # Given a decode allowed 2 ms per hour of audio (a stand-in for ffmpeg hanging on a bad file)
    monkeypatch.setattr(audio_decode, "DECODE_TIMEOUT_BASE_SECONDS", 0.0)
    monkeypatch.setattr(audio_decode, "DECODE_TIMEOUT_PER_AUDIO_SECOND", 0.002 / 3600)
    out = tmp_path / "out.wav"
    with pytest.raises(AudioError) as exc:
        decode_to_wav(long_tone_flac, out, expected_duration=1800)
    assert exc.value.code == "decode_failed"
    assert "timed out" in exc.value.detail
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_decode_timeout_grows_with_the_recording():
    assert audio.decode_timeout(4 * 3600) > audio.decode_timeout(600) > audio.decode_timeout(10) > 0
    assert audio.decode_timeout(None) > 0


def test_audio_error_survives_the_trip_to_a_worker():
    err = AudioError("too_long", "too_long", {"length_seconds": 18000, "limit_seconds": 14400}, "stderr")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.code, copy.key, copy.params, copy.detail) == (err.code, err.key, err.params, err.detail)
    assert copy.message == err.message


def test_audio_error_message_is_made_in_the_language_active_when_read():
    # Given one error, raised once
    err = AudioError("too_long", "too_long", {"length_seconds": 5 * 3600, "limit_seconds": 4 * 3600})
    # Then each reader gets it in their own language, with lengths in their words
    with translation.override("en"):
        assert "5 hours long" in err.message and "at most 4 hours" in err.message
    with translation.override("ja"):
        assert "5 時間" in err.message and "4 時間" in err.message and "hours" not in err.message


# --- good uploads ----------------------------------------------------------------------------------


def test_video_with_sound_decodes_its_audio(tmp_path, speech_wav):
    # Given an MP4 of a video call: a video track and 20 s of speech in AAC
    path = tmp_path / "zoom.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=20", "-i", str(speech_wav),
           "-map", "0:v", "-map", "1:a", "-c:v", "mpeg4", "-c:a", "aac", "-shortest", str(path))  # fmt: skip
    info = probe(path)
    assert info.has_video and info.codec == "aac" and info.channels == 1
    assert info.duration == pytest.approx(20, abs=0.2)
    # When decoded, then we get 16 kHz mono speech of the same length
    progress: list[float] = []
    decoded = decode_to_wav(
        path, tmp_path / "zoom.wav", expected_duration=info.duration, on_progress=progress.append
    )
    assert (decoded.channels, decoded.sample_rate) == (1, SR)
    assert decoded.duration == pytest.approx(20, abs=0.1)
    assert wav_duration(decoded.path) == decoded.duration
    x = read_samples(decoded.path)
    assert 20 * np.log10(np.sqrt(np.mean(x**2))) == pytest.approx(-20, abs=2)
    assert progress[-1] == 1.0 and progress == sorted(progress)


def test_mp3_cover_art_is_not_a_video(tmp_path, speech_wav):
    png = tmp_path / "cover.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64:rate=1", "-frames:v", "1", str(png))
    path = tmp_path / "podcast.mp3"
    ffmpeg("-i", str(speech_wav), "-i", str(png), "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame",
           "-c:v", "png", "-disposition:v", "attached_pic", str(path))  # fmt: skip
    info = probe(path)
    assert not info.has_video
    assert info.codec == "mp3"


def test_browser_recording_without_a_stated_length_is_measured(tmp_path):
    # Given a WebM written as a stream, as the browser's MediaRecorder does (no duration in the header)
    path = tmp_path / "browser.webm"
    with path.open("wb") as f:
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:r=48000:d=5",
             "-c:a", "libopus", "-f", "webm", "pipe:1"],
            stdout=f, check=True,
        )  # fmt: skip
    info = probe(path)
    assert info.codec == "opus"
    assert info.duration == pytest.approx(5, abs=0.1)


def test_stereo_is_kept_when_two_channels_are_asked_for(tmp_path):
    # Given a call recording with the rep on the left and the customer on the right
    left = speech_like(6, level_dbfs=-20, seed=1)
    right = np.zeros_like(left)
    right[SR * 3 :] = speech_like(3, level_dbfs=-26, seed=2)
    path = tmp_path / "call.flac"
    ffmpeg("-i", str(write_wav(tmp_path / "call.wav", np.stack([left, right], axis=1))), str(path))
    assert probe(path).channels == 2
    # When decoded with channels=2, then each side stays on its own channel
    stereo = decode_to_wav(path, tmp_path / "stereo.wav", channels=2)
    assert stereo.channels == 2
    l_ch = read_samples(stereo.path, channel=0)
    r_ch = read_samples(stereo.path, channel=1)
    assert np.allclose(l_ch, left, atol=2 / 32768)
    assert np.allclose(r_ch, right, atol=2 / 32768)
    assert np.allclose(read_samples(stereo.path), (l_ch + r_ch) / 2, atol=1e-6)
    # and channels=1 mixes both sides into one
    mono = decode_to_wav(path, tmp_path / "mono.wav", channels=1)
    assert mono.channels == 1
    mixed = read_samples(mono.path)
    assert np.corrcoef(mixed[SR * 3 :], (left + right)[SR * 3 :])[0, 1] > 0.99
    with pytest.raises(ValueError):
        read_samples(mono.path, channel=1)


# --- reading and chunking --------------------------------------------------------------------------


def test_read_samples_returns_exactly_the_requested_slice(tmp_path):
    # Given a 5 s stereo WAV whose left sample i holds i mod 20000 and whose right holds its negative
    i = np.arange(5 * SR)
    left = (i % 20000).astype(np.int16)
    frames = np.stack([left, -left], axis=1).astype("<i2")
    path = tmp_path / "ramp.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(frames.tobytes())
    # When 1.25 s .. 2.5 s of the left channel is read, then exactly those 20,000 samples come back
    got = read_samples(path, 1.25, 2.5, channel=0)
    assert got.dtype == np.float32 and got.shape == (20000,)
    assert np.array_equal(got * 32768, left[20000:40000].astype(np.float32))
    assert np.array_equal(read_samples(path, 1.25, 2.5, channel=1), -got)
    assert np.all(read_samples(path, 1.25, 2.5) == 0)  # left + right cancel in the mono mix
    # reads past the end are clipped, and an empty range is empty
    assert read_samples(path, 4.5, 99).shape == (SR // 2,)
    assert read_samples(path, 6.0, 7.0).shape == (0,)
    assert read_samples(path, 2.0, 2.0).shape == (0,)
    assert wav_duration(path) == 5.0


def test_chunks_cover_the_file_and_cut_in_the_pauses(tmp_path):
    # Given 130 s of continuous speech with two one-second pauses (room noise) at 52 s and 104.5 s
    x = speech_like(130, seed=3)
    for a, b in ((52.0, 53.0), (104.5, 105.5)):
        x[round(a * SR) : round(b * SR)] = noise(b - a, level_dbfs=-65)
    path = write_wav(tmp_path / "talk.wav", x)
    # When planned in chunks of at most 60 s, searching the last 15 s for a quiet point
    chunks = plan_chunks(path, chunk_seconds=60, search_seconds=15)
    # Then each cut falls inside a pause, the pieces are contiguous and cover the whole file
    assert len(chunks) == 3
    assert 52.0 < chunks[0][1] < 53.0
    assert 104.5 < chunks[1][1] < 105.5
    assert chunks[0][0] == 0.0 and chunks[-1][1] == wav_duration(path)
    assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(chunks))
    assert all(0 < end - start <= 60 for start, end in chunks)
    # and reading them back gives every sample exactly once
    pieces = [read_samples(path, start, end) for start, end in chunks]
    assert sum(p.size for p in pieces) == x.size
    assert np.array_equal(np.concatenate(pieces), read_samples(path))


def test_chunks_without_pauses_still_respect_the_limit(tmp_path):
    path = write_wav(tmp_path / "monologue.wav", speech_like(95, seed=4))
    chunks = plan_chunks(path, chunk_seconds=30, search_seconds=10)
    assert chunks[0][0] == 0.0 and chunks[-1][1] == pytest.approx(95)
    assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(chunks))
    assert all(0 < end - start <= 30 for start, end in chunks)
    assert all(end - start >= 20 for start, end in chunks[:-1])  # cut only within the last 10 s


def test_short_recording_is_one_chunk(tmp_path, speech_wav):
    assert plan_chunks(speech_wav, chunk_seconds=600) == [(0.0, 20.0)]


def test_decoding_a_long_recording_keeps_memory_flat(tmp_path, long_tone_flac):
    # Given 30 minutes of audio, which decodes to a 57.6 MB WAV
    progress: list[float] = []
    tracemalloc.start()
    try:
        decoded = decode_to_wav(long_tone_flac, tmp_path / "long.wav", expected_duration=1800,
                                on_progress=progress.append)  # fmt: skip
        _, decode_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        # a worker loading one 10-second slice from the middle reads only that slice
        piece = read_samples(decoded.path, 900, 910)
        _, slice_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert decoded.duration == pytest.approx(1800, abs=0.1)
    assert decoded.path.stat().st_size > 57_000_000
    # Then Python never held more than a few 10-second blocks at once
    assert decode_peak < 4_000_000, decode_peak
    assert piece.size == 10 * SR and slice_peak < 2_000_000, slice_peak
    # and progress was reported along the way, in order, ending at 1
    assert len(progress) >= 50 and progress == sorted(progress) and progress[-1] == 1.0


# --- hostile files at the seam (the doors are in test_hostile_uploads.py) ---------------------------


@pytest.mark.parametrize("suffix", ["m4a", "mp3", "flac", "ogg", "aac", "wav", "webm"])
def test_text_with_any_recording_name_is_called_text(tmp_path, suffix):
    # Given notes saved under a recording's name (ffprobe would call the .m4a one "incomplete"
    # and find a FLAC stream in the .flac one)
    path = tmp_path / f"notes.{suffix}"
    path.write_text("Call notes: send the proposal by Friday.\n" * 30, encoding="utf-8")
    with pytest.raises(AudioError) as exc:
        probe(path)
    assert_tells_the_rep(exc.value, "not_media", "not an audio or video file (it looks like text)")


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        ("議事録\r\n".encode("utf-16"), "text"),
        ("議事録です。次回は来週。\n".encode("cp932") * 20, "text"),
        (b"<!DOCTYPE html><html><body>login</body></html>", "a web page (HTML)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
    ],
    ids=["utf-16", "shift-jis", "html", "pdf"],
)
def test_documents_named_like_recordings_are_called_what_they_are(tmp_path, content, looks_like):
    path = tmp_path / "meeting.m4a"
    path.write_bytes(content)
    with pytest.raises(AudioError) as exc:
        probe(path)
    assert_tells_the_rep(exc.value, "not_media", f"(it looks like {looks_like})")


def test_random_bytes_named_flac_are_not_media(tmp_path):
    path = tmp_path / "noise.flac"
    path.write_bytes(np.random.default_rng(3).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(AudioError) as exc:
        probe(path)
    assert_tells_the_rep(exc.value, "not_media", "not an audio or video recording")


def test_recordings_are_never_sniffed_as_documents(tmp_path, speech_wav):
    # Every container we accept starts with bytes no text or document has
    for ext in ("mp3", "m4a", "ogg", "opus", "flac", "webm"):
        out = tmp_path / f"speech.{ext}"
        ffmpeg("-i", str(speech_wav), "-t", "2", str(out))
        assert probe(out).duration == pytest.approx(2, abs=0.1), ext


def test_a_recording_longer_than_its_header_says_stops_decoding_at_the_limit(tmp_path, speech_wav):
    # Given a 20 s recording whose container would have stated 5 s (as a crafted file can)
    out = tmp_path / "out.wav"
    # When decoded with a 10 s limit, then ffmpeg stops just past it and the rep hears why
    with pytest.raises(AudioError) as exc:
        decode_to_wav(speech_wav, out, expected_duration=5, max_duration=10)
    assert_tells_the_rep(exc.value, "too_long", "longer than 10 seconds", "split")
    assert "decoded past 10s" in exc.value.detail
    assert not out.exists() and leftovers(tmp_path) == []
