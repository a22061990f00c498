"""Where recordings and their derived audio live: the local media folder (the embedded default)
or an S3-compatible bucket (AIZUCHI_STORAGE=s3), always through Django's default storage.

Web and workers share nothing but the database, the broker and this storage. ffmpeg and Whisper
need a real file: `fetched` gives one (the stored file itself on local storage, a temporary copy
of the object otherwise) and `writing` takes one back. Playback reads byte ranges (`read_range`)
without fetching the whole object. No ORM here: storage names in, files and bytes out.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages

if TYPE_CHECKING:
    from storages.backends.s3 import S3Storage

_BLOCK = 1024 * 1024


def _storage() -> Storage:
    return storages["default"]  # what FileField(storage=None) uses too


def _s3() -> S3Storage | None:
    from storages.backends.s3 import S3Storage

    storage = _storage()
    return storage if isinstance(storage, S3Storage) else None


def _key(storage: S3Storage, name: str) -> str:
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(name))


def local_path(name: str) -> Path | None:
    """The file on this machine's disk, when the storage is a local folder; else None."""
    try:
        return Path(_storage().path(name))
    except NotImplementedError:
        return None


def is_local() -> bool:
    return local_path("x") is not None


def _scratch_dir() -> str:
    # Beside uploads in progress: a disk meant for big temporary files, not a small /tmp.
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
    return settings.FILE_UPLOAD_TEMP_DIR


@contextmanager
def fetched(name: str) -> Iterator[Path]:
    """A local file holding the stored file `name`, for the length of the block.

    Local storage hands out the stored file itself; a bucket's object is downloaded (streamed,
    memory stays flat) into a temporary file that is removed afterwards. FileNotFoundError when
    nothing is stored under `name`.
    """
    local = local_path(name)
    if local is not None:
        if not local.is_file():
            raise FileNotFoundError(name)
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="aizuchi-fetch-", dir=_scratch_dir()) as folder:
        path = Path(folder) / PurePosixPath(name).name
        with path.open("wb") as out:
            _download(name, out)
        yield path


def _download(name: str, out: BinaryIO) -> None:
    s3 = _s3()
    if s3 is not None:
        from botocore.exceptions import ClientError

        try:
            s3.bucket.Object(_key(s3, name)).download_fileobj(out, Config=s3.transfer_config)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise FileNotFoundError(name) from error
            raise
        return
    with _storage().open(name, "rb") as source:
        shutil.copyfileobj(source, out, _BLOCK)


@contextmanager
def writing(name: str) -> Iterator[Path]:
    """A local path to write the file `name` at; it is stored when the block ends without error.

    On local storage that is the stored file's own path (no copy); otherwise a temporary file,
    uploaded when the block ends. A block that raises stores nothing.
    """
    local = local_path(name)
    if local is not None:
        local.parent.mkdir(parents=True, exist_ok=True)
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="aizuchi-write-", dir=_scratch_dir()) as folder:
        path = Path(folder) / PurePosixPath(name).name
        yield path
        save_file(name, path)


def save_file(name: str, path: Path) -> None:
    """Store the local file `path` as `name`, replacing what was there (derived files have fixed
    names that every worker computes)."""
    storage = _storage()
    storage.delete(name)
    with path.open("rb") as handle:
        stored = storage.save(name, File(handle, name=PurePosixPath(name).name))
    if stored != name:  # another writer took the name between delete and save
        storage.delete(stored)
        raise FileExistsError(name)


def write_bytes(name: str, data: bytes) -> None:
    local = local_path(name)
    if local is not None:
        local.parent.mkdir(parents=True, exist_ok=True)
        part = local.with_name(local.name + ".part")
        part.write_bytes(data)
        part.replace(local)
        return
    with tempfile.TemporaryDirectory(prefix="aizuchi-write-", dir=_scratch_dir()) as folder:
        path = Path(folder) / "data"
        path.write_bytes(data)
        save_file(name, path)


def read_bytes(name: str) -> bytes | None:
    """A small stored file's bytes, or None when there is none."""
    storage = _storage()
    try:
        with storage.open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def exists(name: str) -> bool:
    return _storage().exists(name)


def size(name: str) -> int:
    """Bytes stored under `name`; FileNotFoundError when there is nothing."""
    return _storage().size(name)


def read_range(name: str, start: int, end: int) -> Iterator[bytes]:
    """Bytes `start`..`end` (inclusive) of a stored file, in blocks: a bucket is asked for that
    range only, so seeking in a long recording never downloads it whole."""
    if end < start:
        return
    s3 = _s3()
    if s3 is not None:
        body = s3.connection.meta.client.get_object(
            Bucket=s3.bucket_name, Key=_key(s3, name), Range=f"bytes={start}-{end}"
        )["Body"]
        try:
            yield from body.iter_chunks(_BLOCK)
        finally:
            body.close()
        return
    remaining = end - start + 1
    with _storage().open(name, "rb") as handle:
        handle.seek(start)
        while remaining > 0:
            block = handle.read(min(_BLOCK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block


def list_tree(prefix: str) -> list[str]:
    """Every stored name under the folder `prefix`, at any depth."""
    storage = _storage()
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return []
    names = [f"{prefix}/{name}" for name in files]
    for folder in folders:
        names += list_tree(f"{prefix}/{folder}")
    return names


def delete_tree(prefix: str) -> None:
    """Remove every stored file under the folder `prefix` (a meeting's, say); none is fine."""
    local = local_path(prefix)
    if local is not None:
        shutil.rmtree(local, ignore_errors=True)
        return
    s3 = _s3()
    if s3 is not None:  # one request per 1,000 objects
        s3.bucket.objects.filter(Prefix=_key(s3, prefix).rstrip("/") + "/").delete()
        return
    storage = _storage()
    for name in list_tree(prefix):
        storage.delete(name)
