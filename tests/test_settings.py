from pathlib import Path

import pytest

from webqa.config import Settings, load_settings
from webqa.errors import WebqaError


def test_every_setting_is_described():
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 10, name


def test_environment_overrides_toml_which_overrides_defaults(tmp_path: Path, monkeypatch):
    (tmp_path / "webqa.toml").write_text("search_k = 7\nchunk_chars = 500\n", encoding="utf-8")
    monkeypatch.setenv("WEBQA_CHUNK_CHARS", "600")
    settings = load_settings()
    assert (settings.search_k, settings.chunk_chars, settings.rrf_k) == (7, 600, 60)


def test_unknown_keys_in_toml_are_rejected(tmp_path: Path):
    (tmp_path / "webqa.toml").write_text("serch_k = 7\n", encoding="utf-8")
    with pytest.raises(WebqaError, match="serch_k: Extra inputs are not permitted"):
        load_settings()


def test_invalid_toml_and_missing_config_file(tmp_path: Path, monkeypatch):
    (tmp_path / "webqa.toml").write_text("search_k = \n", encoding="utf-8")
    with pytest.raises(WebqaError, match="Cannot read webqa.toml"):
        load_settings()
    monkeypatch.setenv("WEBQA_CONFIG", str(tmp_path / "elsewhere.toml"))
    with pytest.raises(WebqaError, match="elsewhere.toml, which does not exist"):
        load_settings()


def test_invalid_values_name_the_setting(monkeypatch):
    monkeypatch.setenv("WEBQA_DENSE_INDEX", "annoy")
    with pytest.raises(WebqaError, match="dense_index: Input should be 'flat', 'hnsw' or 'ivf'"):
        load_settings()


def test_hub_access_is_off_by_default():
    """In a fresh interpreter with neither variable set (the test process sets them itself)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    code = "import os, webqa; print(os.environ.get('HF_HUB_OFFLINE'), os.environ.get('TRANSFORMERS_OFFLINE'))"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["1", "1"]
