"""The eval tests read benchmark data only from inside the repository: the fixtures beside them and the
copies webqa ships. The few full-data tests ask for `shared_data`, and skip where there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

import webqa.evaluation.datasets as datasets

FIXTURES = Path(__file__).parent / "fixtures"  # a benchmark data folder with a few records of each set
_found_by_default = datasets.shared_data_candidates


@pytest.fixture(autouse=True)
def no_shared_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test finds ../shared/data by itself; the environment variable is already cleared."""
    monkeypatch.setattr(datasets, "shared_data_candidates", lambda: [])


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The full benchmark folder (../shared/data beside the checkout, as on CI), or a skip."""
    for candidate in _found_by_default():
        if candidate.is_dir():
            return candidate
    pytest.skip("needs the full benchmark data (../shared/data beside the project); CI has it")
