"""The embedded model's Q8_0 copy: written once into the cache, never half-written, quiet, and refused
clearly where it cannot be written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm import embedded_model_path, load_llm
from webqa.llm.reencode import q8_0_copy

pytestmark = pytest.mark.slow


@pytest.fixture
def packaged() -> Path:
    pytest.importorskip("llama_cpp")
    return embedded_model_path()


def test_the_copy_is_written_once_and_quietly(packaged: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]):
    cache = tmp_path / "gguf"
    cache.mkdir()
    older = cache / f"{packaged.stem}-{'0' * 16}-q8_0-v1.gguf"  # the copy of an earlier install
    older.write_bytes(b"GGUF")
    other_model = cache / "Other.Q4_1-0000000000000000-q8_0-v1.gguf"
    other_model.write_bytes(b"GGUF")
    copy = q8_0_copy(packaged, cache)
    assert not older.exists() and other_model.exists()
    other_model.unlink()
    out, err = capfd.readouterr()
    assert out == "" and err.count("\n") == 1 and "re-encoding" in err  # one line, not llama.cpp's per tensor
    assert copy.parent == cache and copy.stat().st_size > packaged.stat().st_size  # 8.5 bits a weight, not 5.7
    with open(copy, "rb") as handle:
        assert handle.read(4) == b"GGUF"
    written = copy.stat().st_mtime_ns
    assert q8_0_copy(packaged, cache) == copy and copy.stat().st_mtime_ns == written  # cached
    assert capfd.readouterr().err == ""
    assert sorted(p.name for p in cache.iterdir()) == [copy.name]  # no temporary file left behind


def test_an_unwritable_cache_is_refused_and_the_packaged_file_used(
    packaged: Path,
    tmp_path: Path,
    settings: Settings,
    no_loaded_llms: None,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    with pytest.raises(WebqaError, match="Cannot write the Q8_0 copy"):
        q8_0_copy(packaged, blocked / "gguf")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    llm = load_llm(settings)
    assert llm.chat_model.model_path == str(packaged)  # type: ignore[attr-defined]
    assert "Running the packaged Q4_1 weights instead" in capfd.readouterr().err


def test_a_failed_encoding_leaves_nothing(tmp_path: Path, capfd: pytest.CaptureFixture[str]):
    pytest.importorskip("llama_cpp")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(64))
    cache = tmp_path / "gguf"
    with pytest.raises(WebqaError, match="could not re-encode"):
        q8_0_copy(broken, cache)
    assert list(cache.iterdir()) == []


def test_without_llama_cpp_the_copy_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings, no_loaded_llms: None
):
    import sys

    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # `import llama_cpp` now fails
    source = tmp_path / "model.gguf"
    source.write_bytes(b"GGUF")
    with pytest.raises(WebqaError, match=r"pip install 'webqa\[llm\]'"):
        q8_0_copy(source, tmp_path / "gguf")
    with pytest.raises(WebqaError, match=r"pip install 'webqa\[llm\]'"):
        load_llm(settings)  # the install line, not a fallback's warning first
