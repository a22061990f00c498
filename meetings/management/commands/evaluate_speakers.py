"""Print how often speech is attributed to the wrong role (rep/customer), and how fast.

Material (real speech; read its PROVENANCE.md files):
- AMI meeting excerpts (English, real meetings, RTTM turns). No role exists there, so each
  speaker is mapped to rep/customer by the best mapping; with enrolment, the rep's voice is
  enrolled from the *other* excerpt of the same meeting.
- Common Voice Japanese clips (real read speech) arranged into constructed conversations:
  real voices, artificial turn-taking. Stereo: one side per channel with -20 dB bleed and 10 ms
  delay. Mono: the voices mixed; the rep's enrolment clip is never reused in the meeting.
Segments are the reference turns (as Whisper segments roughly would be); "frames" are 1 s
windows of the same speech, each attributed on its own.
"""

from __future__ import annotations

import itertools
import tempfile
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings.speakers import attribute_speakers, role_confusion, voice_embedding
from meetings.speakers.metrics import construct_meeting, frame_reference, read_mono, read_rttm, write_wav

CLIP = "common_voice_ja_{}_16k.wav"
# Voices grouped by embedding similarity (A: 0.89 between its clips; B: 0.80); the others are
# single clips of further voices. Common Voice does not ship speaker ids, so this is a judgement.
# (name, {speaker: clips in the meeting}, rep speaker, rep enrolment clip)
MONO_MEETINGS = [
    ("A rep, B customer", {"A": ["38925334"], "B": ["38843402", "38878413"]}, "A", "38853932"),
    ("B rep, A customer", {"B": ["38843402"], "A": ["38925334", "38853932"]}, "B", "38878413"),
    ("A rep, E+C customers", {"A": ["38925334"], "E": ["38852485"], "C": ["38898180"]}, "A", "38853932"),
    ("B rep, C+D customers", {"B": ["38878413"], "C": ["38898180"], "D": ["38833628"]}, "B", "38843402"),
]
STEREO_MEETINGS = [
    ("A rep, B customer", {"A": ["38925334", "38853932"], "B": ["38852485", "38878413"]}, "A"),
    ("B rep, C customer", {"B": ["38843402", "38864552"], "C": ["38898180"]}, "B"),
    ("D rep, A+B customers", {"D": ["38833628"], "A": ["38925334"], "B": ["38852485"]}, "D"),
]


SYNTHETIC = Path(settings.BASE_DIR) / "tests" / "data" / "synthetic_meeting_ja"
KPI_KEYS = {
    "customer_asks_for_proposal": "customer_asks_for_proposal_count",
    "rep_affirmation": "rep_affirmation_count",
    "rep_case_study": "rep_case_study_count",
    "rep_proposal": "rep_proposal_count",
}


class Command(BaseCommand):
    help = "Measure rep/customer role confusion and processing time of speaker attribution."

    def add_arguments(self, parser):
        data = Path(settings.BASE_DIR) / "tests" / "data"
        parser.add_argument(
            "--ami", default=str(data / "ami_en"), help="folder with dev.rttm (and tst.rttm) and the wavs"
        )
        parser.add_argument("--clips", default=str(data / "common_voice_ja" / "audio"))
        parser.add_argument("--no-frames", action="store_true", help="skip the frame-level figures")
        parser.add_argument(
            "--synthetic",
            action="store_true",
            help="only the synthetic meeting through Whisper: segments whole vs split at speaker changes",
        )

    def handle(self, *args, **options):
        if options["synthetic"]:
            self.synthetic()
            return
        clips = Path(options["clips"])
        if not (clips / CLIP.format("38925334")).exists():
            raise CommandError(f"Common Voice clips not found in {clips}")
        self.frames = not options["no_frames"]
        self.timing = {"stereo": [0.0, 0.0], "mono": [0.0, 0.0]}
        with tempfile.TemporaryDirectory() as tmp:
            self.tmp = Path(tmp)
            self.stdout.write("Role confusion = share of reference speech time given the wrong role.\n")
            self.stereo(clips)
            self.mono(clips)
            ami = Path(options["ami"])
            if (ami / "dev.rttm").exists():
                self.ami(ami)
            else:
                self.stdout.write(f"AMI excerpts not found in {ami}: skipped")
        self.stdout.write("\nProcessing time per audio hour (2 CPU cores here, models loaded once):")
        for kind, (seconds, audio) in self.timing.items():
            if audio:
                self.stdout.write(f"  {kind:6s} {seconds / audio * 3600 / 60:6.1f} min per hour of audio")

    def synthetic(self) -> None:
        """Whisper segments whole (no word timings, as before issue 5) vs split at speaker changes."""
        import dataclasses
        import json

        from meetings import audio, pipeline, transcription
        from meetings.speakers.metrics import wrong_role_share

        turns = json.loads((SYNTHETIC / "turns.json").read_text(encoding="utf-8"))["turns"]
        labels = json.loads((SYNTHETIC / "script.json").read_text(encoding="utf-8"))["labels"]
        reference = [(t["start"], t["end"], t["speaker"]) for t in turns]
        with tempfile.TemporaryDirectory() as tmp:
            wav = audio.decode_to_wav(
                SYNTHETIC / "rep_enrolment.flac", Path(tmp) / "enrol.wav", channels=1
            ).path
            enrolment = voice_embedding(read_mono(wav))
        self.stdout.write(
            "Synthetic meeting (synthetic speech, constructed turns) through Whisper and attribution."
        )
        self.stdout.write("wrong = speech given only the other role; gaps = speech in no segment.")
        self.stdout.write("labels: " + ", ".join(f"{k} {len(v)}" for k, v in labels.items()))
        original = transcription.engine_config_from_settings
        try:
            for name, enrol in (("stereo", None), ("mono", enrolment)):
                for split in (False, True):
                    config = dataclasses.replace(original(), word_timestamps=split)

                    def configured(
                        config: transcription.EngineConfig = config,
                    ) -> transcription.EngineConfig:
                        return config

                    transcription.engine_config_from_settings = configured
                    result = pipeline.analyse_file(
                        SYNTHETIC / f"meeting_{name}.flac",
                        language="ja",
                        enrolment=enrol,
                        split_speakers=split,
                    )
                    hypothesis = [(s["start"], s["end"], s["speaker"]) for s in result.segments]
                    wrong, gaps = wrong_role_share(reference, hypothesis)
                    counts = " ".join(f"{result.kpis[key]}" for key in KPI_KEYS.values())
                    self.stdout.write(
                        f"  {name:6s} {'split by word' if split else 'whole segments':15s} "
                        f"confusion {role_confusion(reference, hypothesis):5.1%} (wrong {wrong:4.1%}, gaps {gaps:4.1%})"
                        f"  asks/affirmations/case studies/proposals {counts}  [{result.speaker_method}]"
                    )
        finally:
            transcription.engine_config_from_settings = original

    def run(self, kind: str, wav: Path, segments, enrolment=None):
        started = time.perf_counter()
        result = attribute_speakers(wav, segments, enrolment=enrolment)
        self.timing[kind][0] += time.perf_counter() - started
        self.timing[kind][1] += segments[-1][1] - segments[0][0] if segments else 0.0
        return result

    def score(self, kind, wav, reference, enrolment=None):
        """Segment-level and frame-level confusion of one recording against (start, end, role)."""
        segments = [(s, e) for s, e, _ in reference]
        result = self.run(kind, wav, segments, enrolment)
        seg = role_confusion(
            reference, [(s, e, r) for (s, e), r in zip(segments, result.labels, strict=True)]
        )
        frame = None
        if self.frames:
            windows = frame_reference(reference, step=1.0)
            labels = attribute_speakers(wav, windows, enrolment=enrolment).labels
            frame = role_confusion(reference, [(s, e, r) for (s, e), r in zip(windows, labels, strict=True)])
        return seg, frame, result

    def line(self, name, seg, frame, result, seconds):
        frame_text = f"  frames {frame:6.1%}" if frame is not None else ""
        self.stdout.write(
            f"  {name:28s} {seconds:5.1f} s  segments {seg:6.1%}{frame_text}"
            f"  [{result.method}, confidence {result.confidence:.2f}]"
        )

    def stereo(self, clips: Path):
        self.stdout.write("\nStereo, constructed from real Japanese speech (bleed -20 dB, 10 ms):")
        totals = []
        for seed, (name, voices, rep) in enumerate(STEREO_MEETINGS):
            meeting = construct_meeting(
                {s: [read_mono(clips / CLIP.format(c)) for c in ids] for s, ids in voices.items()},
                seed=seed,
                first=rep,
            )
            roles = {s: "rep" if s == rep else "customer" for s in voices}
            wav = self.tmp / f"stereo{seed}.wav"
            write_wav(wav, meeting.stereo(roles))
            reference = [(s, e, roles[spk]) for s, e, spk in meeting.turns]
            seg, frame, result = self.score("stereo", wav, reference)
            totals.append((seg, frame, reference))
            self.line(name, seg, frame, result, meeting.turns[-1][1])
            if seed == 0:
                duplicated = self.tmp / "duplicated.wav"
                write_wav(duplicated, np.repeat(meeting.mono()[:, None], 2, axis=1))
                method = attribute_speakers(duplicated, [(s, e) for s, e, _ in reference]).method
                self.stdout.write(f"  {'same meeting, mono duplicated':28s} falls back to: {method}")
        self.total(totals)

    def mono(self, clips: Path):
        self.stdout.write(
            "\nMono, constructed from real Japanese speech, rep enrolled from a clip not in the meeting:"
        )
        totals = []
        heuristic = []
        for seed, (name, voices, rep, enrol_clip) in enumerate(MONO_MEETINGS):
            meeting = construct_meeting(
                {s: [read_mono(clips / CLIP.format(c)) for c in ids] for s, ids in voices.items()},
                seed=seed,
                first=rep,
            )
            roles = {s: "rep" if s == rep else "customer" for s in voices}
            wav = self.tmp / f"mono{seed}.wav"
            write_wav(wav, meeting.mono())
            reference = [(s, e, roles[spk]) for s, e, spk in meeting.turns]
            enrolment = voice_embedding(read_mono(clips / CLIP.format(enrol_clip)))
            seg, frame, result = self.score("mono", wav, reference, enrolment)
            totals.append((seg, frame, reference))
            self.line(name, seg, frame, result, meeting.turns[-1][1])
            segments = [(s, e) for s, e, _ in reference]
            guess = attribute_speakers(wav, segments)
            heuristic.append(
                (
                    role_confusion(
                        reference, [(s, e, r) for (s, e), r in zip(segments, guess.labels, strict=True)]
                    ),
                    None,
                    reference,
                )
            )
        self.total(totals)
        self.stdout.write("  without enrolment (rep = who speaks first; these meetings open with the rep):")
        self.total(heuristic)

    def ami(self, ami: Path):
        self.stdout.write(
            "\nAMI excerpts (English, real meetings; speakers mapped to roles by the best mapping):"
        )
        import soundfile

        for part, files in (("dev", ("dev00", "dev01")), ("tst", ("tst00", "tst01"))):
            rttm = ami / f"{part}.rttm"
            if not rttm.exists():
                continue  # the repository keeps the two-speaker dev excerpts only
            for uri, other in itertools.permutations(files):
                samples, rate = soundfile.read(ami / f"{uri}.wav", dtype="float32")
                wav = self.tmp / f"{uri}.wav"
                write_wav(wav, samples, rate)
                turns = read_rttm(rttm, uri)
                speakers = sorted({spk for _, _, spk in turns})
                segments = [(s, e) for s, e, _ in turns]
                duration = len(samples) / rate
                # Without enrolment: best mapping of the clusters found to the speakers.
                plain = self.run("mono", wav, segments)
                best = min(
                    role_confusion(
                        [(s, e, "rep" if spk == rep else "customer") for s, e, spk in turns],
                        [(s, e, r) for (s, e), r in zip(segments, labels, strict=True)],
                    )
                    for rep in speakers
                    for labels in (plain.labels, [_flip(r) for r in plain.labels])
                )
                self.stdout.write(
                    f"  {uri} ({len(speakers)} speakers) {duration:4.1f} s  clusters, best mapping {best:6.1%}"
                )
                # With enrolment from the other excerpt, each speaker in turn as the rep.
                other_samples, _ = soundfile.read(ami / f"{other}.wav", dtype="float32")
                other_turns = read_rttm(rttm, other)
                scores = []
                for rep in speakers:
                    enrol = _speaker_audio(other_samples, other_turns, rep, rate)
                    if len(enrol) < 2 * rate:
                        continue
                    reference = [(s, e, "rep" if spk == rep else "customer") for s, e, spk in turns]
                    seg, frame, _ = self.score("mono", wav, reference, voice_embedding(enrol))
                    scores.append(
                        f"{rep} {seg:.1%}" + (f" (frames {frame:.1%})" if frame is not None else "")
                    )
                self.stdout.write(f"    enrolled from {other}: " + ", ".join(scores))

    def total(self, rows):
        speech = sum(e - s for _, _, ref in rows for s, e, _ in ref)
        seg = sum(r[0] * sum(e - s for s, e, _ in r[2]) for r in rows) / speech
        text = f"  {'all (time-weighted)':28s}        segments {seg:6.1%}"
        if rows and all(r[1] is not None for r in rows):
            frame = sum(r[1] * sum(e - s for s, e, _ in r[2]) for r in rows) / speech
            text += f"  frames {frame:6.1%}"
        self.stdout.write(text)


def _flip(role: str) -> str:
    return "customer" if role == "rep" else "rep"


def _speaker_audio(samples: np.ndarray, turns, speaker: str, rate: int) -> np.ndarray:
    """The speaker's speech where nobody else talks, joined: an enrolment clip."""
    others = [(s, e) for s, e, spk in turns if spk != speaker]
    keep = np.zeros(len(samples), dtype=bool)
    for s, e, spk in turns:
        if spk == speaker:
            keep[int(s * rate) : int(e * rate)] = True
    for s, e in others:
        keep[int(s * rate) : int(e * rate)] = False
    return samples[keep]
