"""Which learned detector scores meetings: the setting AIZUCHI_DETECTOR names it."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from coaching.engine.learned import DetectorModel, ModelError, base_model, load_model


@functools.cache
def _from_path(path: str) -> DetectorModel:
    return load_model(path)


def detector_active() -> DetectorModel | None:
    """The model that adds moments beside the rules, or None for rules alone."""
    choice = (settings.AIZUCHI_DETECTOR or "base").strip()
    if choice == "off":
        return None
    try:
        return base_model() if choice == "base" else _from_path(choice)
    except (OSError, ModelError) as exc:
        raise ImproperlyConfigured(f"AIZUCHI_DETECTOR={choice!r}: {exc}") from None
