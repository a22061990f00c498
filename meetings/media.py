"""Serving private recordings after an access check.

The view streams the stored file itself (a local folder or a bucket, through meetings.filestore),
honouring Range requests so the audio player can seek; from a bucket only the asked range is
fetched. With local storage in production set AIZUCHI_MEDIA_ACCEL_PREFIX (e.g. /protected/) and
let nginx serve the bytes with X-Accel-Redirect from an `internal` location.
"""

import mimetypes
import re
from posixpath import basename

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from meetings import filestore

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def private_file_response(request: HttpRequest, name: str, *, download_name: str) -> HttpResponseBase:
    """The stored file `name` (a storage name, not a path), whole or the requested byte range;
    404 when nothing is stored under it."""
    content_type = mimetypes.guess_type(basename(name))[0] or "application/octet-stream"
    try:
        size = filestore.size(name)
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    if settings.AIZUCHI_MEDIA_ACCEL_PREFIX and filestore.is_local():
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.AIZUCHI_MEDIA_ACCEL_PREFIX.rstrip("/") + "/" + name
        response["Cache-Control"] = "private, no-store"
        return response

    match = _RANGE.match(request.headers.get("Range", "").strip())
    if not match or (not match.group(1) and not match.group(2)):
        whole = StreamingHttpResponse(filestore.read_range(name, 0, size - 1), content_type=content_type)
        whole["Content-Length"] = str(size)
        whole["Content-Disposition"] = content_disposition_header(False, download_name) or "inline"
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

    partial = StreamingHttpResponse(
        filestore.read_range(name, start, end), status=206, content_type=content_type
    )
    partial["Content-Range"] = f"bytes {start}-{end}/{size}"
    partial["Content-Length"] = str(end - start + 1)
    partial["Accept-Ranges"] = "bytes"
    partial["Cache-Control"] = "private, no-store"
    return partial
