"""The ONNX export cache: keyed by the weights' content and the exporter version, found without re-hashing,
and never half-written. The export itself (torch) is exercised by the slow tests with the real model."""

import json
import os

import pytest

from webqa.errors import WebqaError
from webqa.index import onnx_export
from webqa.index.onnx_export import EXPORTER_VERSION, exported_model, weights_digest


@pytest.fixture
def model_dir(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights v1")
    (folder / "config.json").write_text('{"hidden_size": 4}')
    return folder


def test_the_digest_follows_the_weights_content(model_dir, tmp_path):
    cache = tmp_path / "cache"
    first = weights_digest(model_dir, cache)
    assert weights_digest(model_dir, cache) == first
    (model_dir / "model.safetensors").write_bytes(b"weights v2")
    os.utime(model_dir / "model.safetensors", ns=(1, 1))  # a new stat, as any rewrite of the file gives
    assert weights_digest(model_dir, cache) != first


def test_a_remembered_digest_is_used_while_the_file_is_unchanged(model_dir, tmp_path):
    cache = tmp_path / "cache"
    weights_digest(model_dir, cache)
    memo = json.loads((cache / "digests.json").read_text())
    (key,) = memo
    memo[key] = "remembered"
    (cache / "digests.json").write_text(json.dumps(memo))
    assert weights_digest(model_dir, cache) == "remembered"  # stat unchanged: the file is not read again


def test_a_cached_export_is_returned_without_exporting(model_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    folder = cache / f"{weights_digest(model_dir, cache)[:24]}-v{EXPORTER_VERSION}"
    folder.mkdir(parents=True)
    (folder / "model-int8.onnx").write_bytes(b"cached")

    def no_export(*args: object) -> None:
        raise AssertionError("exported although the cache holds the file")

    monkeypatch.setattr(onnx_export, "_export_fp32", no_export)
    monkeypatch.setattr(onnx_export, "_quantize", no_export)
    assert exported_model(model_dir, "onnx-int8", cache) == folder / "model-int8.onnx"


def test_int8_is_quantised_from_the_cached_fp32_export(model_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    made: list[str] = []
    monkeypatch.setattr(
        onnx_export, "_export_fp32", lambda source, target: made.append("fp32") or target.write_bytes(b"f")
    )
    monkeypatch.setattr(onnx_export, "_quantize", lambda fp32, target: made.append("int8") or target.write_bytes(b"q"))
    int8 = exported_model(model_dir, "onnx-int8", cache)
    assert made == ["fp32", "int8"] and int8.read_bytes() == b"q"
    assert exported_model(model_dir, "onnx", cache).read_bytes() == b"f" and made == ["fp32", "int8"]


def test_a_new_exporter_version_does_not_reuse_old_files(model_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setattr(onnx_export, "_export_fp32", lambda source, target: target.write_bytes(b"v1"))
    old = exported_model(model_dir, "onnx", cache)
    monkeypatch.setattr(onnx_export, "EXPORTER_VERSION", "999")
    monkeypatch.setattr(onnx_export, "_export_fp32", lambda source, target: target.write_bytes(b"v999"))
    new = exported_model(model_dir, "onnx", cache)
    assert new != old and new.read_bytes() == b"v999"


def test_an_interrupted_write_leaves_nothing_behind(tmp_path, monkeypatch):
    target = tmp_path / "out" / "digests.json"

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(onnx_export.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        onnx_export._write_atomically(target, b"{}")
    assert list((tmp_path / "out").iterdir()) == []


def test_unknown_variants_and_missing_weights_are_messages(model_dir, tmp_path):
    with pytest.raises(WebqaError, match="Unknown ONNX variant 'fp16'"):
        exported_model(model_dir, "fp16", tmp_path)
    (model_dir / "model.safetensors").unlink()
    with pytest.raises(WebqaError, match="embedding_backend=torch"):
        exported_model(model_dir, "onnx", tmp_path)
