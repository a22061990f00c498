"""A large upload streams to disk: the web process never holds the file in memory."""

import io
import struct
import tracemalloc

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory

from meetings.models import Meeting
from meetings.views import meeting_list

pytestmark = pytest.mark.django_db

BOUNDARY = "aizuchi-boundary"


class GeneratedBody(io.RawIOBase):
    """A multipart body produced on the fly: a WAV header, then `pcm_bytes` of silence."""

    def __init__(self, pcm_bytes: int):
        header = struct.pack(
            "<4sI4s4sIHHIIHH4sI",
            b"RIFF",
            36 + pcm_bytes,
            b"WAVE",
            b"fmt ",
            16,
            1,
            1,
            16000,
            32000,
            2,
            16,
            b"data",
            pcm_bytes,
        )
        fields = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in {"held_on": "2026-11-20", "language": "ja"}.items()
        )
        self._head = (
            fields + f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="long.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\n"
        ).encode() + header
        self._tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self._silence_left = pcm_bytes
        self.length = len(self._head) + pcm_bytes + len(self._tail)

    def read(self, size=-1):
        size = 1 << 20 if size is None or size < 0 else size
        if self._head:
            out, self._head = self._head[:size], self._head[size:]
            return out
        if self._silence_left:
            n = min(size, self._silence_left)
            self._silence_left -= n
            return bytes(n)
        out, self._tail = self._tail[:size], self._tail[size:]
        return out


def test_a_large_upload_keeps_memory_flat(alice, monkeypatch):
    monkeypatch.setattr("meetings.services.meeting_enqueue", lambda *, meeting_id: None)
    body = GeneratedBody(pcm_bytes=300 * 1024 * 1024)  # 300 MB, about 2 h 37 min of audio
    environ = RequestFactory().post("/meetings/").environ
    environ.update(
        {
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(body.length),
            "wsgi.input": body,
        }
    )
    request = WSGIRequest(environ)
    request.user = alice
    request._dont_enforce_csrf_checks = True
    request._messages = CookieStorage(request)

    tracemalloc.start()
    response = meeting_list(request)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.size_bytes == 44 + 300 * 1024 * 1024
    assert meeting.duration_seconds == pytest.approx(300 * 1024 * 1024 / 32000, rel=0.01)
    assert peak < 16 * 1024 * 1024, f"peak Python memory {peak / 1e6:.0f} MB while receiving 300 MB"
