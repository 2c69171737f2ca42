"""Connecting to Ray for one run: a local instance started for it, or an existing cluster.

Ray is an optional extra (`pip install 'webqa[ray]'`): it is imported here, lazily, and its absence is a
message that says what to install. A process that has already initialised Ray (a notebook, the tests,
a job submitted to a cluster) keeps its connection: a run neither replaces nor shuts it down."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from webqa import __version__
from webqa.errors import WebqaError

LOCAL = "local"  # `--ray` alone: start Ray on this machine for the run
INSTALL_HINT = "pip install 'webqa[ray]'"
_WORKER_CHECK_TIMEOUT_S = 120  # a cluster that autoscales may take a while to place the first task


def import_ray() -> ModuleType:
    try:
        import ray
    except ImportError:
        raise WebqaError(f"--ray needs Ray, which is not installed. Install it with: {INSTALL_HINT}") from None
    return ray


@contextmanager
def ray_session(address: str | None) -> Iterator[ModuleType]:
    """Ray, connected, for the length of a `with` block. `address` None or "local" starts a local Ray with
    this machine's CPUs (shut down at the end); "auto", "HOST:PORT" or "ray://HOST:10001" joins a cluster."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    _quiet_ray_logs()
    if address in (None, LOCAL):
        # On this machine only: the node advertises the loopback address, so nothing listens for, or sends
        # to, the network.
        ray.init(include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False, logging_level="WARNING")
    else:
        try:
            ray.init(address=address, log_to_driver=False, logging_level="WARNING")
        except (ConnectionError, ValueError, RuntimeError) as exc:
            raise WebqaError(
                f"Cannot connect to the Ray cluster at {address!r} ({exc}). Give its address as auto (on a node "
                "of the cluster), HOST:6379 or ray://HOST:10001, or --ray alone for a local Ray."
            ) from None
        _check_workers_have_webqa(ray)
    try:
        yield ray
    finally:
        ray.shutdown()


def cluster_cpus(ray: ModuleType) -> int:
    """The CPUs the cluster offers now: the default number of actors (one CPU each)."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def task_failure(ray: ModuleType, exc: BaseException) -> BaseException | None:
    """The exception our own code raised on a worker, out of Ray's wrapping; None when the failure is
    Ray's (a worker lost, the cluster gone), which the caller handles itself."""
    if isinstance(exc, ray.exceptions.RayTaskError):
        cause: Any = exc.cause
        return cause if isinstance(cause, BaseException) else None
    return None


def _check_workers_have_webqa(ray: ModuleType) -> None:
    """Fail at once, with a message, when the cluster's nodes lack webqa (or run another version of it),
    rather than with an import error from deep inside the first batch."""

    @ray.remote(num_cpus=0)
    def webqa_version() -> str:
        import webqa

        return webqa.__version__

    try:
        remote_version = ray.get(webqa_version.remote(), timeout=_WORKER_CHECK_TIMEOUT_S)
    except ray.exceptions.RayTaskError as exc:
        raise WebqaError(
            f"The Ray cluster's workers cannot import webqa ({type(exc.cause).__name__}). Install the same webqa "
            f"({__version__}) with its ray extra on every node, e.g. in the cluster's image: {INSTALL_HINT}"
        ) from None
    except ray.exceptions.GetTimeoutError:
        raise WebqaError(
            f"The Ray cluster ran no task within {_WORKER_CHECK_TIMEOUT_S} s: does it have a free CPU?"
        ) from None
    if remote_version != __version__:
        raise WebqaError(
            f"The Ray cluster's workers run webqa {remote_version}, this driver {__version__}: install the same "
            "version on every node and here, or answers and indexes would mix two versions' behaviour."
        )


def _quiet_ray_logs() -> None:
    # Ray Data logs each dataset's plan and progress at INFO on stderr, between webqa's own progress bar
    # lines, and warns that its own bars are off (webqa shows one); Ray's errors still show, and a failure
    # reaches webqa as an exception either way.
    logging.getLogger("ray").setLevel(logging.WARNING)
    logging.getLogger("ray.data").setLevel(logging.ERROR)
