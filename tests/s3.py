"""A real S3-compatible server on loopback for the object-storage tests: moto's server mode in a
process of its own (its memory is not the web process's), one fresh bucket per test.

`s3_storage` points this process's STORAGES and the environment (which worker processes
started afterwards inherit) at the bucket, and hands the test a client to list it.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

ACCESS_KEY = "aizuchi-test"
SECRET_KEY = "aizuchi-test-secret"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    """moto's S3 server on 127.0.0.1 at a free port, for the whole run; yields its URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto server did not start:\n" + log.read_text()[-2000:]) from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@dataclass
class Bucket:
    name: str
    client: Any  # a boto3 S3 client

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3_storage(moto_server, settings, monkeypatch):
    """Recordings go to a fresh bucket on the loopback S3 server, here and in any worker process
    started after this fixture (list it before celery_worker_process)."""
    import boto3

    from aizuchi.settings import s3_storage_from_env

    name = f"aizuchi-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name)
    for variable, value in {
        "AIZUCHI_STORAGE": "s3",
        "AIZUCHI_S3_BUCKET": name,
        "AIZUCHI_S3_ENDPOINT_URL": moto_server,
        "AIZUCHI_S3_REGION": REGION,
        "AIZUCHI_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "AIZUCHI_S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }.items():
        monkeypatch.setenv(variable, value)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_from_env()}
    return Bucket(name=name, client=client)
