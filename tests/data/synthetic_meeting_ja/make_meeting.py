"""Synthesise the two-voice Japanese sales meeting in this folder, offline, with Open JTalk.

The rep and the customer are the same HTS voice made into two people with Open JTalk's pitch
shift (-fm), all-pass constant (-a, vocal-tract length) and speed (-r). Turns are placed on one
timeline with short gaps; the reference times in turns.json are where each turn's speech starts
and ends (leading and trailing silence of the synthesiser trimmed).

Outputs (16 kHz FLAC): meeting_stereo.flac (rep left, customer right, each channel with the
other voice bleeding in at -24 dB, 8 ms late, like a headset call recording), meeting_mono.flac
(the two voices mixed), turns.json.

Needs open_jtalk, the naist-jdic dictionary and an .htsvoice file (Debian: open-jtalk,
open-jtalk-mecab-naist-jdic; the voice from hts-voice-nitech-jp-atr503-m001 or "Mei" from the
pyopenjtalk wheels, see README.md), and ffmpeg. Run: python make_meeting.py [--voice PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RATE = 16_000
DICTIONARY = Path("/var/lib/mecab/dic/open-jtalk/naist-jdic")
VOICE_CANDIDATES = (
    Path("/usr/share/hts-voice/nitech-jp-atr503-m001/nitech_jp_atr503_m001.htsvoice"),
    Path("/usr/share/hts-voice/mei/mei_normal.htsvoice"),
    Path("/tmp/poj/x/pyopenjtalk/htsvoice/mei_normal.htsvoice"),
)
CROSSTALK_DB = -24.0
CROSSTALK_DELAY_S = 0.008
TRIM_DBFS = -45.0


def find_voice(explicit: str | None) -> Path:
    candidates = [Path(explicit)] if explicit else []
    if os.environ.get("AIZUCHI_HTS_VOICE"):
        candidates.append(Path(os.environ["AIZUCHI_HTS_VOICE"]))
    candidates.extend(VOICE_CANDIDATES)
    for path in candidates:
        if path.is_file():
            return path
    raise SystemExit("No .htsvoice file found: pass --voice PATH or set AIZUCHI_HTS_VOICE (see README.md).")


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
        return data, w.getframerate()


def synthesise(text: str, voice: Path, params: dict, workdir: Path, index: int) -> np.ndarray:
    """One turn as float32 at 16 kHz, silence trimmed."""
    raw = workdir / f"turn{index:02d}.wav"
    resampled = workdir / f"turn{index:02d}_16k.wav"
    subprocess.run(
        [
            "open_jtalk",
            "-x",
            str(DICTIONARY),
            "-m",
            str(voice),
            "-fm",
            str(params["pitch_shift"]),
            "-a",
            str(params["alpha"]),
            "-r",
            str(params["speed"]),
            "-ow",
            str(raw),
        ],
        input=text.encode("utf-8"),
        check=True,
    )
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(raw), "-ar", str(RATE), "-ac", "1", str(resampled)],
        check=True,
    )
    samples, rate = read_wav(resampled)
    assert rate == RATE
    level = 20 * np.log10(np.abs(samples) + 1e-9)
    loud = np.flatnonzero(level > TRIM_DBFS)
    samples = samples[loud[0] : loud[-1] + 1]
    return samples * 10 ** (params.get("volume_db", 0) / 20)


def gap_after(previous_speaker: str, text: str, rng: random.Random) -> float:
    """Short affirmations come quickly after the customer; other turns after a normal pause."""
    if len(text) <= 8:
        return rng.uniform(0.15, 0.3)
    return rng.uniform(0.35, 0.8)


def write_flac(path: Path, channels: np.ndarray, workdir: Path) -> None:
    pcm = np.clip(np.round(channels * 32767), -32768, 32767).astype("<i2")
    tmp = workdir / (path.stem + ".wav")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(tmp), "-compression_level", "12", str(path)], check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", help="path to an .htsvoice file")
    args = parser.parse_args()
    voice = find_voice(args.voice)
    script = json.loads((HERE / "script.json").read_text(encoding="utf-8"))
    rng = random.Random(4)

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        pieces = []
        clock = 0.6
        previous = None
        for index, turn in enumerate(script["turns"]):
            audio = synthesise(turn["text"], voice, script["voices"][turn["speaker"]], workdir, index)
            if previous is not None:
                clock += gap_after(previous, turn["text"], rng)
            start = round(clock * RATE)
            pieces.append((turn["speaker"], start, audio))
            turn_info = {
                "index": index,
                "speaker": turn["speaker"],
                "start": round(start / RATE, 4),
                "end": round((start + len(audio)) / RATE, 4),
                "text": turn["text"],
            }
            pieces[-1] = (*pieces[-1], turn_info)
            clock = (start + len(audio)) / RATE
            previous = turn["speaker"]

        total = round((clock + 0.8) * RATE)
        tracks = {"rep": np.zeros(total, np.float32), "customer": np.zeros(total, np.float32)}
        for speaker, start, audio, _ in pieces:
            tracks[speaker][start : start + len(audio)] += audio

        delay = round(CROSSTALK_DELAY_S * RATE)
        bleed = 10 ** (CROSSTALK_DB / 20)
        noise = np.random.default_rng(4).normal(0, 10 ** (-80 / 20), size=(total, 2)).astype(np.float32)
        left = tracks["rep"] + bleed * np.roll(tracks["customer"], delay)
        right = tracks["customer"] + bleed * np.roll(tracks["rep"], delay)
        stereo = np.stack([left, right], axis=1) + noise
        mono = (tracks["rep"] + tracks["customer"])[:, None] + noise[:, :1]
        peak = max(np.abs(stereo).max(), np.abs(mono).max())
        scale = 0.9 / peak
        write_flac(HERE / "meeting_stereo.flac", stereo * scale, workdir)
        write_flac(HERE / "meeting_mono.flac", mono * scale, workdir)

    turns = [info for *_, info in pieces]
    reference = {
        "note": "Synthetic speech (Open JTalk) with constructed turns; times are exact, in seconds.",
        "sample_rate": RATE,
        "duration": round(total / RATE, 4),
        "stereo_channels": {"0": "rep", "1": "customer"},
        "turns": turns,
    }
    (HERE / "turns.json").write_text(
        json.dumps(reference, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(turns)} turns, {total / RATE:.1f} s, voice {voice.name}")


if __name__ == "__main__":
    main()
