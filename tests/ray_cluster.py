"""A local Ray of 2 CPUs, started once per test module that uses it (about 5 s), and fakes its workers run.

Its processes inherit this environment, with the repository on PYTHONPATH so that every worker (also those
of a driver started in a subprocess) imports this checkout's webqa and the tests' fakes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.batch_fakes import make_fake
from webqa.batch import AnswerFn
from webqa.questions import QuestionItem

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    """The running local Ray's address; this process is connected to it for the whole module."""
    ray = pytest.importorskip("ray", reason="the Ray tests need the ray extra: pip install -e '.[ray]'")
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), saved) if p)
    try:
        # Loopback only, as the CLI's local Ray: nothing listens on or reaches the network.
        ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


def make_mortal_fake(marker_dir: str, **fake_options: Any) -> AnswerFn:
    """make_fake's answerer, whose worker process dies (os._exit, as a crash or an OOM kill would end it) on
    a question containing "die always", and on one containing "die once" the first time it is asked."""
    answer = make_fake(**fake_options)

    def answer_or_die(item: QuestionItem) -> dict[str, Any]:
        text = item.question or ""
        marker = Path(marker_dir) / f"{item.id}.died"
        if "die always" in text or ("die once" in text and not marker.exists()):
            marker.touch()
            os._exit(1)
        return answer(item)

    return answer_or_die
