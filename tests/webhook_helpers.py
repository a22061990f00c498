"""A real HTTP server on loopback that records what it is sent: webhook receivers, a fake HubSpot."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    url: str
    requests: list[Received] = field(default_factory=list)
    # (request) -> (status, JSON-able body); replace it to change what the server answers
    respond: Callable[[Received], tuple[int, Any]] = lambda request: (200, {"ok": True})


@contextmanager
def http_server(respond: Callable[[Received], tuple[int, Any]] | None = None) -> Iterator[Server]:
    server_state = Server(url="")
    if respond is not None:
        server_state.respond = respond

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received = Received(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
            server_state.requests.append(received)
            status, body = server_state.respond(received)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_PATCH = do_GET = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
