"""`python -m tests.ray_batch_driver QUESTIONS OUT LOG ADDRESS`: a slow batch on the Ray cluster at ADDRESS,
for the test that kills its driver with kill -9 mid-run."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

from tests.batch_fakes import make_fake
from webqa.batch import run_batch
from webqa.distributed.ray_batch import ray_answer_lines


def main() -> None:
    questions, out, log, address = sys.argv[1:5]
    with ray_answer_lines(address, actors=2) as lines:
        factory = partial(make_fake, tag="first", delay=0.1, log=log)
        run_batch(Path(questions), Path(out), factory, progress=False, answer_lines=lines)


if __name__ == "__main__":
    main()
