"""YAML files of the repository (plans, catalogue, séances, import formats), read safely."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's C parser when PyYAML was built with it (the wheels are): the same safe types as
# yaml.safe_load, ten times faster (the catalogue, read on every import: 0,30 -> 0,03 s)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """The content of the YAML file at ``path`` (plain data only: no Python object is built)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
