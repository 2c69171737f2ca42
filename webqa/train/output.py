"""Model folders written whole or not at all.

Training writes into a hidden sibling folder (`.NAME.partial-PID`) and renames it to NAME only once every
file is in place, so a run killed at any point leaves nothing under the output name; the next run clears
the partial folders of processes that are gone. Renames within one parent folder are atomic on POSIX."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from webqa.errors import WebqaError

_PARTIAL = ".partial-"


def check_output(out: Path, overwrite: bool) -> Path:
    """The output folder, refused before any work when it exists and `overwrite` is not given."""
    out = Path(out).expanduser()
    if out.exists() and not overwrite:
        raise WebqaError(f"{out} already exists. Choose another --out, or pass --overwrite to replace it.")
    if out.exists() and not out.is_dir():
        raise WebqaError(f"{out} is a file, not a model folder. Choose another --out.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WebqaError(f"Cannot create {out.parent} ({exc}). Choose another --out.") from None
    return out


@contextlib.contextmanager
def model_folder(out: Path, overwrite: bool) -> Iterator[Path]:
    """A fresh folder to write the model into; on a clean exit it becomes `out` (replacing the old one
    when `overwrite`), on an error it is removed."""
    out = check_output(out, overwrite)
    _clear_abandoned(out)
    partial = out.parent / f".{out.name}{_PARTIAL}{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        yield partial
        _swap_in(partial, out, overwrite)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _swap_in(partial: Path, out: Path, overwrite: bool) -> None:
    if not out.exists():
        partial.rename(out)
        return
    if not overwrite:  # someone else wrote it while this run trained
        raise WebqaError(f"{out} appeared while training; the new model was not saved. Pass --overwrite.")
    old = out.parent / f".{out.name}.replaced-{os.getpid()}"
    out.rename(old)
    partial.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _clear_abandoned(out: Path) -> None:
    """Partial folders left by killed runs (their process is gone) are deleted."""
    for folder in out.parent.glob(f".{out.name}{_PARTIAL}*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
