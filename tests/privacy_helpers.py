"""Shared by the privacy tests (the `media` fixture is in conftest.py)."""

from pathlib import Path


def files_under(root: Path) -> list[str]:
    """Every file below `root`, as sorted relative paths."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
