"""Which learned detector scores meetings.

The setting AIZUCHI_DETECTOR names it: `base` (the default) uses the company model an admin
published in the workbench, else the base model that ships; `off` means rules alone; a path
names a model file (a published company model is then not used).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from coaching.engine.learned import DetectorModel, ModelError, base_model, load_model
from coaching.engine.learned.model import model_from_bytes
from coaching.models import DetectorVersion


@functools.cache
def _from_path(path: str) -> DetectorModel:
    return load_model(path)


@functools.lru_cache(maxsize=4)
def _company_model(pk: int, digest: str) -> DetectorModel:
    """A published version's model, read once per process (its rows never change)."""
    data = DetectorVersion.objects.values_list("data", flat=True).get(pk=pk)
    if data is None:
        raise ModelError(f"company model m{pk} has no model file")
    model = model_from_bytes(bytes(data))
    if model.digest != digest:
        raise ModelError(f"company model m{pk}: checksum does not match")
    return model


def _choice() -> str:
    return (settings.AIZUCHI_DETECTOR or "base").strip()


def company_version_active() -> DetectorVersion | None:
    """The published company model, when the setting lets one be used."""
    if _choice() != "base":
        return None
    try:
        return DetectorVersion.objects.defer("data", "report").filter(is_active=True).first()
    except DatabaseError:  # not migrated yet (evaluate_rules on a fresh checkout): none published
        return None


def detector_for(version: DetectorVersion | None) -> DetectorModel | None:
    """The model that adds moments beside the rules with this company version (None: what the
    setting names without one), or None for rules alone."""
    if version is not None:
        return _company_model(version.pk, version.digest)
    choice = _choice()
    if choice == "off":
        return None
    try:
        return base_model() if choice == "base" else _from_path(choice)
    except (OSError, ModelError) as exc:
        raise ImproperlyConfigured(f"AIZUCHI_DETECTOR={choice!r}: {exc}") from None


def detector_active() -> DetectorModel | None:
    """The model that adds moments beside the rules now, or None for rules alone."""
    return detector_for(company_version_active())


def base_detector() -> DetectorModel | None:
    """What scores without a company model: the comparison a company model must beat."""
    return detector_for(None)
