"""Serving private recordings after an access check.

In production set AIZUCHI_MEDIA_ACCEL_PREFIX (e.g. /protected/) and let nginx serve the bytes
with X-Accel-Redirect from an `internal` location; in development the view streams the file
itself, honouring Range requests so the audio player can seek.
"""

import mimetypes
import os
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
_BLOCK = 64 * 1024


def private_file_response(request: HttpRequest, path: Path, *, download_name: str) -> HttpResponseBase:
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if settings.AIZUCHI_MEDIA_ACCEL_PREFIX:
        relative = path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve())
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = (
            settings.AIZUCHI_MEDIA_ACCEL_PREFIX.rstrip("/") + "/" + relative.as_posix()
        )
        response["Cache-Control"] = "private, no-store"
        return response

    size = path.stat().st_size
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if not match or (not match.group(1) and not match.group(2)):
        whole = FileResponse(path.open("rb"), content_type=content_type, filename=download_name)
        whole["Accept-Ranges"] = "bytes"
        whole["Cache-Control"] = "private, no-store"
        return whole

    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # suffix range: the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response

    def stream() -> Iterator[bytes]:
        remaining = end - start + 1
        with path.open("rb") as handle:
            handle.seek(start)
            while remaining > 0:
                block = handle.read(min(_BLOCK, remaining))
                if not block:
                    break
                remaining -= len(block)
                yield block

    partial = StreamingHttpResponse(stream(), status=206, content_type=content_type)
    partial["Content-Range"] = f"bytes {start}-{end}/{size}"
    partial["Content-Length"] = str(end - start + 1)
    partial["Accept-Ranges"] = "bytes"
    partial["Cache-Control"] = "private, no-store"
    return partial


def file_exists(path: Path) -> bool:
    return os.path.isfile(path)
