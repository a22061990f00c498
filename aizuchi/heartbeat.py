"""A worker's pulse on the row of the step it runs.

Progress alone cannot tell a slow step from a dead worker: loading a model or attributing the
speakers of a long recording reports nothing for minutes. So while a step runs, a thread writes
`heartbeat_at = now` on its row every AIZUCHI_HEARTBEAT_SECONDS. A worker killed outright
(SIGKILL, out of memory, its machine gone) stops beating, and the reapers (meetings.recovery,
coaching.rescoring) start the step again. A worker that hangs but lives keeps beating: that is
not what this covers.
"""

import contextlib
import logging
import threading
from collections.abc import Iterator

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.utils import timezone

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def beating(model: type[Model], pk: int, *, interval: float | None = None) -> Iterator[None]:
    """Beat on `model` row `pk` until the block ends (the caller wrote the first beat)."""
    every = interval or settings.AIZUCHI_HEARTBEAT_SECONDS
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    model._default_manager.filter(pk=pk).update(heartbeat_at=timezone.now())
                except Exception:  # a locked SQLite file, a database restart: try again next beat
                    logger.warning("heartbeat on %s %s failed", model.__name__, pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 60)
