"""Settings for the test suite: a throwaway secret and var/ dir, but the prepared Whisper
models under ./var/models (joined once by `make install`). Worker processes started by tests
inherit these variables."""

import os
import tempfile
from pathlib import Path

os.environ["AIZUCHI_TESTING"] = "1"
# The test client and the live server speak plain HTTP (tests/test_deploy_settings.py checks
# the HTTPS defaults in a process of their own).
os.environ["AIZUCHI_PLAIN_HTTP"] = "1"
os.environ.setdefault("AIZUCHI_VAR_DIR", tempfile.mkdtemp(prefix="aizuchi-test-var-"))
os.environ.setdefault(
    "AIZUCHI_WHISPER_MODEL_DIR", str(Path(__file__).resolve().parent.parent / "var" / "models")
)

from aizuchi.settings import *  # noqa: F403

# Tests read messages in English unless they ask for Japanese (a profile language or an
# Accept-Language header); the product's default stays Japanese.
LANGUAGE_CODE = "en"
# Hashing passwords properly is slow by design; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
