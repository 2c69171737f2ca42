"""The eval tests read benchmark data only from inside the repository: the fixtures beside them and the
copies webqa ships. The few full-data tests ask for `full_data`: they run only when FULL_BENCHMARK_DATA
names a benchmark folder (.ci/run sets it where ../shared/data exists) and skip, saying so, otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import webqa.evaluation.datasets as datasets

FIXTURES = Path(__file__).parent / "fixtures"  # a benchmark data folder with a few records of each set
# Read once, at import: the suite's clean_environment fixture clears the environment for each test.
FULL_DATA = os.environ.get("FULL_BENCHMARK_DATA")


@pytest.fixture(autouse=True)
def no_shared_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test finds ../shared/data by itself; the environment variable is already cleared."""
    monkeypatch.setattr(datasets, "shared_data_candidates", lambda: [])


@pytest.fixture(scope="session")
def full_data() -> Path:
    """The full benchmark folder FULL_BENCHMARK_DATA names, or a skip."""
    if not FULL_DATA:
        pytest.skip("needs the full benchmark data: set FULL_BENCHMARK_DATA to its folder (.ci/run does on CI)")
    folder = Path(FULL_DATA)
    if not folder.is_dir():
        pytest.fail(f"FULL_BENCHMARK_DATA={FULL_DATA} is not a folder")
    return folder
