"""Run the whole pipeline on one file without the web server and print the result as JSON."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from aizuchi.terminal import terminal_language
from meetings.audio import AudioError
from meetings.pipeline import analyse_file

STAGES = {
    "decoding": "Decoding",
    "transcribing": "Transcribing",
    "attributing": "Finding speakers",
    "analysing": "Finding moments",
    "done": "Done",
}


class Command(BaseCommand):
    help = "Transcribe and analyse a recording; prints segments, moments and KPIs (JSON with --json)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--language", choices=["ja", "en", "auto"], default="auto")
        parser.add_argument("--json", action="store_true", help="print one JSON object (stable format)")

    def handle(self, *args, file, language, json: bool, **options):
        bar = _ProgressBar() if sys.stderr.isatty() else None
        try:
            result = analyse_file(file, language=language, on_progress=bar.update if bar else None)
        except AudioError as error:
            with translation.override(terminal_language()):
                raise CommandError(f"{file}: {error.message}") from None
        finally:
            if bar:
                bar.close()
        if json:
            self.stdout.write(_dumps(result.as_json()))
            return
        for segment in result.segments:
            who = segment["speaker"] or "?"
            self.stdout.write(f"[{segment['start']:8.2f} – {segment['end']:8.2f}] {who:8} {segment['text']}")
        if result.moments:
            self.stdout.write("")
            for moment in result.moments:
                self.stdout.write(f"{moment['start'] or 0:8.2f}  {moment['behaviour']:28} {moment['text']}")
        if result.kpis:
            self.stdout.write("")
            self.stdout.write(_dumps(result.kpis))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


class _ProgressBar:
    """A tqdm bar on stderr that follows the pipeline's stages."""

    def __init__(self):
        from tqdm import tqdm

        self._bar = tqdm(total=100, file=sys.stderr, unit="%", bar_format="{desc:18} {bar} {n:.0f}%")
        self._stage = ""

    def update(self, stage: str, fraction: float) -> None:
        if stage != self._stage:
            self._stage = stage
            self._bar.set_description_str(STAGES.get(stage, stage))
        self._bar.n = round(100 * max(0.0, min(1.0, fraction)))
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()
