"""Indexes that cannot be used: each gives a message that says what to do, and a rebuild fixes it."""

import json
import shutil
from pathlib import Path

import pytest

from webqa.cli import main
from webqa.errors import IndexDamagedError, IndexIncompatibleError, IndexNotFoundError
from webqa.index import build_index, open_index
from webqa.index.layout import current_build


@pytest.fixture
def built(corpus, settings, embedder) -> Path:
    build_index("kb", [str(corpus)], settings, embedder=embedder, progress=False)
    folder = current_build(settings.index_dir / "kb")
    assert folder is not None
    return folder


def test_missing_index_names_the_build_command(settings):
    with pytest.raises(IndexNotFoundError, match=r"webqa index build SOURCE\.\.\. --name nope"):
        open_index("nope", settings)


def test_other_embedding_model_is_refused_with_both_names(built, settings):
    with pytest.raises(IndexIncompatibleError, match="built with embedding model 'hashing:256'.*'minilm'"):
        open_index("kb", settings.model_copy(update={"embedding_model": "minilm"}))


def test_older_format_asks_for_a_rebuild(built, settings):
    manifest = json.loads((built / "manifest.json").read_text())
    manifest["format_version"] = 0
    (built / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexIncompatibleError, match="format version 0.*Rebuild it"):
        open_index("kb", settings)


def _remove(path: Path) -> None:
    shutil.rmtree(path) if path.is_dir() else path.unlink()


@pytest.mark.parametrize(
    "damage, message, vectors_lost",
    [
        (lambda f: _remove(f / "embeddings.npy"), "embeddings.npy is missing", True),
        (lambda f: _remove(f / "bm25"), "bm25 is missing", False),
        (lambda f: _remove(f / "store.sqlite"), "store.sqlite is missing", True),
        (lambda f: _remove(f / "manifest.json"), "manifest.json is missing", True),
        (lambda f: (f / "manifest.json").write_text("{half a"), "manifest.json is unreadable", True),
        (lambda f: (f / "store.sqlite").write_bytes(b"garbage" * 100), "damaged", True),
        (lambda f: (f / "embeddings.npy").write_bytes(b"\x93NUMPY garbage"), "damaged", True),
        (lambda f: _remove(f), "build folder .* is missing", True),
    ],
)
def test_damaged_index_is_reported_and_a_rebuild_repairs_it(
    built, settings, corpus, embedder, damage, message, vectors_lost
):
    damage(built)
    with pytest.raises(IndexDamagedError, match=message):
        open_index("kb", settings, embedder=embedder)
    report = build_index("kb", [str(corpus)], settings, embedder=embedder, progress=False)
    # Intact vectors are reused (BM25 is always rebuilt); lost ones are embedded again, with a reason.
    assert (report.embedded_chunks == report.chunks) == vectors_lost
    assert bool(report.full_rebuild_reason) == vectors_lost
    assert open_index("kb", settings, embedder=embedder).search("Everest", 1)[0].chunk.doc_id == "everest"


def test_files_that_disagree_are_damage(built, settings, embedder):
    import numpy as np

    vectors = np.load(built / "embeddings.npy")
    np.save(built / "embeddings.npy", vectors[:-1])
    with pytest.raises(IndexDamagedError, match="files disagree"):
        open_index("kb", settings, embedder=embedder)


def test_cli_reports_damage_in_one_line(built, settings, monkeypatch, capsys):
    monkeypatch.setenv("WEBQA_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("WEBQA_EMBEDDING_MODEL", "hashing:256")
    (built / "embeddings.npy").unlink()
    assert main(["index", "search", "kb", "Everest"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Index 'kb' is damaged") and "webqa index build --name kb" in err
    assert len(err.strip().splitlines()) == 1
    assert main(["index", "list"]) == 0
    assert "damaged" in capsys.readouterr().out
