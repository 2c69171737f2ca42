"""Strict JSON Lines reading and atomic writing, for the files webqa reads and writes whole."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from webqa.errors import InputError


def read_json_lines(path: Path) -> list[tuple[int, Any]]:
    """(line number, value) for every non-blank line; the first line that is not JSON raises, naming it."""
    rows = []
    try:
        with open(path, encoding="utf-8-sig") as lines:  # -sig: editors on Windows add a byte-order mark
            for number, raw in enumerate(lines, start=1):
                if raw.strip():
                    try:
                        rows.append((number, json.loads(raw)))
                    except ValueError as exc:
                        raise InputError(f"{path} line {number}: not valid JSON ({exc}).") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text. Save it as UTF-8.") from None
    return rows


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of it. The file gets the permissions a plain
    write would give it (the old file's, or the umask's), not the private ones of a temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it
    os.umask(mask)
    return mask
