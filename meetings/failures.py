"""Why a meeting failed, in the reader's language.

A failure is stored as a code, a message key and plain params (``Meeting.error_code``,
``error_key``, ``error_params``), never as a finished sentence: the worker does not know who will
read it. The page, the list and the API call ``failure_message`` while rendering, in the language
active for that request. Rows stored before the key existed have only a code and a sentence in
their owner's language: a code that has one fixed sentence is shown in the reader's language, any
other keeps its stored sentence.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from meetings.audio.errors import AudioError, has_message, render_message

INTERNAL_ERROR_CODE = "internal"
INTERNAL_ERROR_MESSAGE = _(
    "Something went wrong while processing this recording. Try again; if it fails again, tell your admin."
)

# A step whose worker kept dying (meetings.recovery): started too often, given up.
WORKER_LOST_CODE = "worker_lost"
WORKER_LOST_MESSAGE = _(
    "Processing this recording was interrupted several times before it finished (the worker doing "
    "it stopped). Try again; if it is interrupted again, tell your admin."
)
# Codes with one fixed sentence, shown in the reader's language.
_FIXED_MESSAGES = {INTERNAL_ERROR_CODE: INTERNAL_ERROR_MESSAGE, WORKER_LOST_CODE: WORKER_LOST_MESSAGE}

# Older rows (no key): codes whose sentence never had params. "silent" was the decoder's code for
# a recording without sound before silence and no-speech became one outcome.
_LEGACY_KEYS = {
    "missing": "missing",
    "not_media": "not_media",
    "no_audio": "no_audio",
    "silent": "no_speech",
    "no_speech": "no_speech",
    "decode_failed": "decode_failed",
}


def failure_fields(
    *, code: str, key: str = "", params: dict[str, Any] | None = None, message: str = ""
) -> dict:
    """What ``meeting_fail`` stores: the code, the key and params, and the sentence in English."""
    params = dict(params or {})
    if key and has_message(key):
        with translation.override("en"):
            message = render_message(key, params)
    elif code in _FIXED_MESSAGES:
        with translation.override("en"):
            message = str(_FIXED_MESSAGES[code])
    return {"error_code": code, "error_key": key, "error_params": params, "error": str(message)[:2000]}


def audio_failure_fields(error: AudioError) -> dict:
    return failure_fields(code=error.code, key=error.key, params=error.params)


def failure_message(
    *, code: str, key: str = "", params: dict[str, Any] | None = None, stored: str = ""
) -> str:
    """The sentence for a failure, in the active language; ``stored`` for what cannot be rebuilt."""
    if code in _FIXED_MESSAGES:
        return str(_FIXED_MESSAGES[code])
    key = key or _LEGACY_KEYS.get(code, "")
    if key and has_message(key):
        return render_message(key, params or {})
    return stored


def meeting_failure_message(meeting: Any) -> str:
    """Why this meeting failed, for whoever is reading now ("" when it has not failed)."""
    if not (meeting.error_code or meeting.error):
        return ""
    return failure_message(
        code=meeting.error_code, key=meeting.error_key, params=meeting.error_params, stored=meeting.error
    )
