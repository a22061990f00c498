"""Loaded before Django settings: tests run with a throwaway secret and their own var/ dir."""

import os
import tempfile

os.environ.setdefault("AIZUCHI_TESTING", "1")
os.environ.setdefault("AIZUCHI_VAR_DIR", tempfile.mkdtemp(prefix="aizuchi-test-var-"))
