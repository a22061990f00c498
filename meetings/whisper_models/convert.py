"""CTranslate2 ``model.bin`` → openai-whisper checkpoint, so openai-whisper runs on the same
offline weights as faster-whisper instead of downloading OpenAI's file. Plain numpy; torch only
when a checkpoint is written."""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from meetings.whisper_models.installed import WhisperModelError, atomic_path

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
    with atomic_path(dest) as tmp_name:
        torch.save(checkpoint, tmp_name)
    return dest


def ensure_openai_checkpoint(ct2_dir: Path, dest: Path) -> Path:
    """Convert once; reuse the .pt when it is newer than the CTranslate2 weights."""
    source = ct2_dir / "model.bin"
    if dest.is_file() and dest.stat().st_mtime >= source.stat().st_mtime:
        return dest
    return convert_ct2_to_openai(ct2_dir, dest)
