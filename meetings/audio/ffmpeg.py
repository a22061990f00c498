"""How probe and decode talk to ffmpeg/ffprobe: a safe input argument and the end of stderr for logs."""

from __future__ import annotations

from pathlib import Path

_STDERR_TAIL_CHARS = 2000


def input_url(path: Path) -> str:
    """``-i`` argument for a local file that ffmpeg can never read as an option or a protocol."""
    # "file:" + absolute path: a name starting with "-" or holding ":" is never read as an option
    # or a protocol.
    return "file:" + str(path.resolve())


def stderr_tail(text: bytes | str) -> str:
    """The last ``_STDERR_TAIL_CHARS`` of ffmpeg's stderr: enough for the log, never unbounded."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text.strip()[-_STDERR_TAIL_CHARS:]
