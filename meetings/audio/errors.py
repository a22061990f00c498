"""What a rep reads when a recording cannot be used: AudioError and its translated sentences.

An AudioError carries a code (what went wrong, for programs), a message key and plain params
(numbers, names): never a finished sentence. The sentence is made when someone reads it
(``message`` / ``render_message``), in the reader's active language, so a failure stored by the
worker reads in Japanese to one rep and in English to another. English where Django settings are
not loaded (CLI, bench scripts).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

# trans_null's gettext_noop is the identity and needs no settings; makemessages still sees the calls.
from django.utils.translation.trans_null import gettext_noop

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
    "not_media_kind": gettext_noop(
        "This is not an audio or video file (it looks like %(looks_like)s), even though its name "
        "says it is. Please upload the meeting's audio or video file."
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
    "too_long_unstated": gettext_noop(
        "This recording is longer than %(limit)s (its file states a shorter length), and recordings "
        "can be at most %(limit)s. Please split it into shorter parts and upload them separately."
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
    # Digital silence, a muted microphone's hiss, a test tone or hold music: the same outcome and the
    # same sentence whether the decoder's loudness check or the speech recogniser found it.
    "no_speech": gettext_noop(
        "No speech was found in this recording (it is silent, or holds only a tone or noise), so "
        "there is nothing to analyse. Please check that the microphone was on and not muted, and "
        "upload the recording of the conversation."
    ),
    "decode_failed": gettext_noop(
        "This recording could not be decoded; the file may be damaged. Please export it again from "
        "the recording app, or convert it to MP3 or WAV, and upload it again."
    ),
}


# What a non-recording looks like, named in ``not_media_kind`` (probe.sniff_content's answers).
_LOOKS_LIKE = {
    "text": gettext_noop("text"),
    "html": gettext_noop("a web page (HTML)"),
    "pdf": gettext_noop("a PDF document"),
    "archive": gettext_noop("a ZIP archive or an Office document"),
    "image": gettext_noop("an image"),
}

# Params named ``*_seconds`` are lengths, shown in words (``length_seconds`` → ``%(length)s``);
# the length of a file over the limit is rounded up so it never reads as equal to the limit.
_SECONDS_SUFFIX = "_seconds"
_ROUNDED_UP = frozenset({"length_seconds"})


class AudioError(Exception):
    """A recording we cannot use: a code, the key and params of the sentence for the rep, and
    ffmpeg's words for the log (``detail``). ``message`` is made in the active language."""

    CODES = frozenset(
        {
            "empty",
            "not_media",
            "no_audio",
            "too_long",
            "unsupported",
            "truncated",
            "no_speech",
            "decode_failed",
            "missing",
        }
    )

    def __init__(
        self, code: str, key: str, params: Mapping[str, Any] | None = None, detail: str = ""
    ) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown AudioError code {code!r}")
        if key not in _MESSAGES:
            raise ValueError(f"unknown AudioError message {key!r}")
        params = dict(params or {})
        # Passing every field to Exception keeps the error picklable (Celery sends it between processes).
        super().__init__(code, key, params, detail)
        self.code = code
        self.key = key
        self.params = params
        self.detail = detail

    @property
    def message(self) -> str:
        """The sentence for the rep, in the language active now."""
        return render_message(self.key, self.params)

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


def has_message(key: str) -> bool:
    return key in _MESSAGES


def render_message(key: str, params: Mapping[str, Any] | None = None) -> str:
    """The sentence for ``key`` in the active language, its params shown as a rep reads them:
    lengths in words, the accepted formats listed, what a non-recording looks like translated."""
    from meetings.audio.probe import SUPPORTED_EXTENSIONS

    t = _translation()
    shown: dict[str, object] = {"formats": ", ".join(sorted(ext.upper() for ext in SUPPORTED_EXTENSIONS))}
    for name, value in (params or {}).items():
        if name.endswith(_SECONDS_SUFFIX):
            seconds = float(value) if isinstance(value, int | float) else 0.0
            shown[name[: -len(_SECONDS_SUFFIX)]] = format_duration(seconds, round_up=name in _ROUNDED_UP)
        elif name == "looks_like":
            shown[name] = t.gettext(_LOOKS_LIKE.get(str(value), _LOOKS_LIKE["text"]))
        else:
            shown[name] = str(value)
    text = t.gettext(_MESSAGES[key])
    try:
        return text % shown
    except (KeyError, TypeError, ValueError):  # a stored row whose params no longer fit: say it plainly
        return t.gettext(_MESSAGES["decode_failed"])


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
