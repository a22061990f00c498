"""The learned detector beside the rules: features, model files, training.

The base model ships in `base/` (trained by `manage.py train_detector --base`, checksummed in
`base/manifest.json`); company models are trained in the workbench from a company's labels.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from coaching.engine.learned.model import DetectorModel, ModelError, load_model, save_model

BASE_DIR = Path(__file__).resolve().parent / "base"
BASE_MANIFEST = BASE_DIR / "manifest.json"

__all__ = ["BASE_DIR", "DetectorModel", "ModelError", "base_model", "load_model", "save_model"]


@functools.cache
def base_model() -> DetectorModel | None:
    """The shipped base model (checked against its manifest's sha256), None if none ships."""
    if not BASE_MANIFEST.exists():
        return None
    manifest = json.loads(BASE_MANIFEST.read_text(encoding="utf-8"))
    return load_model(BASE_DIR / manifest["file"], manifest["sha256"])
