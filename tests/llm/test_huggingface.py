"""The transformers backend without a model: the setup error for a missing model folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from webqa.config import Settings
from webqa.errors import WebqaError
from webqa.llm import load_llm

pytestmark = pytest.mark.usefixtures("no_loaded_llms")


def test_hf_needs_a_local_model_folder(settings: Settings, tmp_path: Path):
    with pytest.raises(WebqaError, match=r"No transformers model folder at .*no config\.json.*WEBQA_LLM=hf:DIR"):
        load_llm(settings, f"hf:{tmp_path / 'smol'}")
