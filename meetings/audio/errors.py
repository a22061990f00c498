"""What a rep reads when a recording cannot be used: AudioError and its translated sentences.

Messages are translated when raised (the worker's active language), and in English where Django
settings are not loaded (CLI, bench scripts).
"""

from __future__ import annotations

import math
from typing import Any

# trans_null's gettext_noop is the identity and needs no settings; makemessages still sees the calls.
from django.utils.translation.trans_null import gettext_noop

# User-facing messages, translated when raised (the worker's active language). Marked with
# gettext_noop so makemessages collects them.
_MESSAGES = {
    "missing": gettext_noop(
        "The uploaded file could not be found on the server. Please upload the recording again."
    ),
    "empty": gettext_noop(
        "This file is empty (0 bytes). Please upload the recording again, exporting it once more from "
        "the recording app if needed."
    ),
    "no_audio_data": gettext_noop(
        "This file contains no audio (its length is 0 seconds). Please upload the recording again."
    ),
    "not_media": gettext_noop(
        "This file is not an audio or video recording (it may be an image or a document with a "
        "recording's file name). Please upload the meeting's audio or video file."
    ),
    "no_audio": gettext_noop(
        "This file contains no audio track, so there is nothing to transcribe. Please upload the "
        "recording's audio or a video with sound."
    ),
    "unsupported_codec": gettext_noop(
        "The audio in this file is in a format that cannot be decoded (%(codec)s). Please convert it "
        "to MP3, M4A or WAV and upload it again."
    ),
    "unsupported_extension": gettext_noop(
        "Files of type “.%(ext)s” cannot be analysed. Please upload a recording in one of these "
        "formats: %(formats)s."
    ),
    "no_extension": gettext_noop(
        "This file has no extension, so its format cannot be recognised. Please upload a recording in "
        "one of these formats: %(formats)s."
    ),
    "too_long": gettext_noop(
        "This recording is %(length)s long, but recordings can be at most %(limit)s. Please split it "
        "into shorter parts and upload them separately."
    ),
    "incomplete": gettext_noop(
        "This file is incomplete (the end of the recording is missing), so it cannot be read. Please "
        "upload the complete file, exporting it once more from the recording app if needed."
    ),
    "truncated": gettext_noop(
        "Only the first %(read)s of this recording (%(total)s in total) could be read: the file seems to be cut "
        "off (for example by an upload or copy that stopped early). Please upload the complete file "
        "again."
    ),
    "silent": gettext_noop(
        "This recording is silent or almost silent, so there is no speech to analyse. Please check "
        "that the microphone was on and not muted, and upload a recording with sound."
    ),
    "decode_failed": gettext_noop(
        "This recording could not be decoded; the file may be damaged. Please export it again from "
        "the recording app, or convert it to MP3 or WAV, and upload it again."
    ),
}


class AudioError(Exception):
    """A recording we cannot use, with a sentence for the rep and ffmpeg's words for the log."""

    CODES = frozenset(
        {
            "empty",
            "not_media",
            "no_audio",
            "too_long",
            "unsupported",
            "truncated",
            "silent",
            "decode_failed",
            "missing",
        }
    )

    def __init__(self, code: str, message: str, detail: str = "") -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown AudioError code {code!r}")
        # Passing every field to Exception keeps the error picklable (Celery sends it between processes).
        super().__init__(code, message, detail)
        self.code = code
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


def _translation() -> Any:
    """Django's translation when settings are loaded; English otherwise (CLI, bench scripts)."""
    from django.core.exceptions import ImproperlyConfigured
    from django.utils import translation

    try:
        translation.get_language()  # reads settings.USE_I18N
    except ImproperlyConfigured:
        from django.utils.translation import trans_null

        return trans_null
    return translation


def user_message(key: str, **params: object) -> str:
    """The sentence for ``key`` in ``_MESSAGES``, translated now and filled with ``params``."""
    text = _translation().gettext(_MESSAGES[key])
    return text % params if params else text


def format_duration(seconds: float, *, round_up: bool = False) -> str:
    """Length in words a rep reads at a glance: "2 hours 5 minutes", "12 minutes", "9 seconds".

    From an hour on, seconds are dropped. ``round_up`` rounds up to the last unit shown, so a file
    just over a limit never reads as equal to it ("4 hours 1 minute", not "4 hours").
    """
    t = _translation()
    unit = 60 if seconds >= 3600 else 1
    rounded = math.ceil(seconds / unit) if round_up else round(seconds / unit)
    total = max(0, rounded * unit)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(t.ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes:
        parts.append(t.ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    if secs and not hours:
        parts.append(t.ngettext("%(n)d second", "%(n)d seconds", secs) % {"n": secs})
    if not parts:
        parts.append(t.ngettext("%(n)d second", "%(n)d seconds", 0) % {"n": 0})
    return " ".join(parts)
