"""Where an index lives on disk, and the atomic swap that makes a finished build current.

    indexes/NAME/CURRENT          names the build folder readers use (replaced atomically)
    indexes/NAME/build-<stamp>/   manifest.json, store.sqlite, embeddings.npy, bm25/, dense.faiss?
    indexes/NAME/.tmp-<stamp>/    a build in progress; never read, removed by the next build

A build writes a whole new folder beside the current one and only then points CURRENT at it, so an
interrupted build (even kill -9) leaves the previous index working."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from webqa.errors import InputError, WebqaError

CURRENT = "CURRENT"
EMBEDDINGS_FILE = "embeddings.npy"  # the chunk vectors, one row per chunk
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InputError(
            f"Invalid index name '{name}': use letters, digits, '.', '_' and '-' (starting with a letter or digit)."
        )
    return name


def index_root(index_dir: Path, name: str) -> Path:
    return index_dir / check_name(name)


def current_build(root: Path) -> Path | None:
    """The folder CURRENT points at, or None when the index was never built."""
    pointer = root / CURRENT
    if not pointer.is_file():
        return None
    return root / pointer.read_text(encoding="utf-8").strip()


def list_index_names(index_dir: Path) -> list[str]:
    if not index_dir.is_dir():
        return []
    return sorted(p.name for p in index_dir.iterdir() if p.is_dir() and (p / CURRENT).is_file())


def new_build_folder(root: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    folder = root / f".tmp-{stamp}"
    folder.mkdir(parents=True)
    return folder


def publish(root: Path, tmp_folder: Path) -> Path:
    """Rename the finished build into place, point CURRENT at it atomically, drop older builds."""
    final = root / tmp_folder.name.replace(".tmp-", "build-", 1)
    tmp_folder.rename(final)
    pointer_tmp = root / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
    pointer_tmp.write_text(final.name + "\n", encoding="utf-8")
    with open(pointer_tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, root / CURRENT)
    remove_stale(root, keep=final)
    return final


def remove_stale(root: Path, keep: Path | None) -> None:
    """Old builds and abandoned temp folders. Readers holding old files open keep them (POSIX)."""
    for child in root.iterdir():
        if child.is_dir() and child != keep and child.name.startswith(("build-", ".tmp-")):
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(f".{CURRENT}."):
            child.unlink(missing_ok=True)


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """One build per index at a time; a second one fails fast instead of racing."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WebqaError(f"Another build of index '{root.name}' is running; wait for it to finish.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
