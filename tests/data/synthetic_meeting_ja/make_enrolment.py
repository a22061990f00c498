"""Synthesise the rep's voice enrolment clip (rep_enrolment.flac) with the rep's voice settings
from script.json, on sentences that are not in the meeting: a rep records a short clip of their
own voice in their profile, never a piece of the meeting itself.

Run: python make_enrolment.py [--voice PATH]   (same requirements as make_meeting.py)
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
from make_meeting import HERE, RATE, find_voice, synthesise, write_flac

SENTENCES = (
    "こんにちは、営業部の山田です。",
    "毎朝、お客様への連絡を確認してから一日の予定を立てています。",
    "この声は、話者を見分けるための登録用の録音です。",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", help="path to an .htsvoice file")
    args = parser.parse_args()
    voice = find_voice(args.voice)
    params = json.loads((HERE / "script.json").read_text(encoding="utf-8"))["voices"]["rep"]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        gap = np.zeros(int(0.4 * RATE), np.float32)
        parts = []
        for i, text in enumerate(SENTENCES):
            parts += [synthesise(text, voice, params, workdir, 100 + i), gap]
        clip = np.concatenate(parts)
        clip = clip * (0.9 / np.abs(clip).max())
        write_flac(HERE / "rep_enrolment.flac", clip[:, None], workdir)
    print(f"rep_enrolment.flac: {len(clip) / RATE:.1f} s")


if __name__ == "__main__":
    main()
