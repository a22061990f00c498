"""Webhook signatures (pure): HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's secret.

The header reads `Aizuchi-Signature: t=<unix seconds>,v1=<hex digest>`. The timestamp is
inside the signed text, so a receiver that rejects old timestamps (REPLAY_WINDOW_SECONDS)
cannot be fed a captured request again later.
"""

import hashlib
import hmac
import time

HEADER = "Aizuchi-Signature"
REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: str,
    body: bytes,
    header: str,
    *,
    tolerance: int = REPLAY_WINDOW_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does: the digest matches and the timestamp is recent (either way)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
