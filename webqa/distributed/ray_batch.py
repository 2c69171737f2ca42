"""`webqa batch --ray` and `webqa eval --ray`: the questions answered by a pool of Ray actors.

Each actor builds the answer function once (models and index loaded once per actor) and turns items into
output lines with the local batch's own answer_line(), so a question's failure is that line's error in
the same words. The driver, which alone reads, resumes and writes the answers file (webqa.batch.run_batch),
gets the lines back in input order through a bounded reorder buffer, exactly as from the local pool.

A worker lost mid-run (its process killed, its node gone) loses nothing: every question it held is sent
again to a fresh actor. The question it was answering when it died counts one attempt; after
MAX_ATTEMPTS such deaths the line records the error instead, so a question that kills every worker cannot
stall the run. Lines are written only by the driver and only once, so nothing is ever repeated either.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from webqa.batch import AnswerFn, Line, Lines, LineSource, answer_line, error_line, input_error_line
from webqa.distributed.cluster import cluster_cpus, ray_session, task_failure
from webqa.questions import QuestionItem

IN_FLIGHT_PER_ACTOR = 2  # one answering, one waiting: no actor idles between questions, few are redone
MAX_ATTEMPTS = 3  # deaths of the worker answering a question before its line records the error
_SETTLE_TIMEOUT_S = 10.0


@contextmanager
def ray_answer_lines(address: str | None, actors: int | None = None) -> Iterator[LineSource]:
    """A LineSource for run_batch on Ray, connected for the `with` block (see cluster.ray_session)."""
    if actors is not None and actors < 1:
        raise ValueError(f"actors must be at least 1, got {actors}")
    with ray_session(address) as ray:
        source: LineSource = RayAnswerPool(ray, actors or cluster_cpus(ray))
        yield source


class AnswerActor:
    """One Ray actor: builds the answer function once, then answers items one at a time."""

    def __init__(self, make_answer_fn: Callable[[], AnswerFn]) -> None:
        self._answer_fn: AnswerFn | None = None
        self._setup_error: Exception | None = None
        try:
            self._answer_fn = make_answer_fn()
        except Exception as exc:
            # Raised from every task instead: Ray reports a failed constructor only as a dead actor.
            self._setup_error = exc

    def answer(self, item: QuestionItem) -> Line:
        if self._setup_error is not None:
            raise self._setup_error
        assert self._answer_fn is not None
        return answer_line(self._answer_fn, item)


@dataclass
class _Slot:
    """An actor and, oldest first, the items sent to it and not yet returned (an actor runs them in order,
    so the first is the one it is answering)."""

    actor: Any
    sent: deque[tuple[int, Any]] = field(default_factory=deque)  # (item position, object ref)


class RayAnswerPool:
    """A LineSource: `actors` Ray actors of one CPU each (Ray sets each one's OMP_NUM_THREADS to it)."""

    def __init__(self, ray: ModuleType, actors: int, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.ray = ray
        self.actors = actors
        self.max_attempts = max_attempts
        self.restarted_actors = 0  # how many were replaced after dying, for the caller to report

    def __call__(self, items: list[QuestionItem], make_answer_fn: Callable[[], AnswerFn]) -> Lines:
        ray = self.ray
        answerable = sum(item.error is None for item in items)
        if answerable == 0:
            yield from (input_error_line(item) for item in items)
            return
        remote_actor = ray.remote(num_cpus=1, max_restarts=0)(AnswerActor)
        factory = ray.put(make_answer_fn)  # once, not once per actor
        slots = [_Slot(remote_actor.remote(factory)) for _ in range(min(self.actors, answerable))]
        waiting: deque[int] = deque()  # positions to send, in order; a dead actor's go back to the front
        owner: dict[Any, _Slot] = {}  # object ref -> its slot
        ready: dict[int, Line] = {}
        deaths: dict[int, int] = {}
        queued = written = 0
        try:
            while written < len(items):
                while queued < len(items) and queued - written < len(slots) * (IN_FLIGHT_PER_ACTOR + 1):
                    if items[queued].error is not None:
                        ready[queued] = input_error_line(items[queued])
                    else:
                        waiting.append(queued)
                    queued += 1
                self._send(items, waiting, slots, owner)
                if written in ready:
                    yield ready.pop(written)
                    written += 1
                    continue
                done, _ = ray.wait(list(owner), num_returns=1)
                ref = done[0]
                slot = owner[ref]
                position = next(p for p, r in slot.sent if r == ref)
                try:
                    ready[position] = ray.get(ref)
                    del owner[ref]
                    slot.sent.remove((position, ref))
                except ray.exceptions.RayActorError:
                    replacement = self._replace(slot, remote_actor, factory, owner, waiting, deaths, items, ready)
                    slots[slots.index(slot)] = replacement
                except ray.exceptions.RayTaskError as exc:
                    raise task_failure(ray, exc) or exc from None  # the factory failed: no answer can be made
        finally:
            for slot in slots:
                ray.kill(slot.actor)  # a finished run, Ctrl-C or a write error: free the models now

    def _send(self, items: list[QuestionItem], waiting: deque[int], slots: list[_Slot], owner: dict) -> None:
        """Top every actor up to IN_FLIGHT_PER_ACTOR items, the least busy first."""
        while waiting:
            slot = min(slots, key=lambda s: len(s.sent))
            if len(slot.sent) >= IN_FLIGHT_PER_ACTOR:
                return
            position = waiting.popleft()
            ref = slot.actor.answer.remote(items[position])
            slot.sent.append((position, ref))
            owner[ref] = slot

    def _replace(
        self,
        slot: _Slot,
        remote_actor: Any,
        factory: Any,
        owner: dict,
        waiting: deque[int],
        deaths: dict[int, int],
        items: list[QuestionItem],
        ready: dict[int, Line],
    ) -> _Slot:
        """A dead actor's items: those it finished keep their lines; the first it did not finish is the one
        it died answering and counts a death; it and the rest go back to the front of the queue."""
        ray = self.ray
        ray.kill(slot.actor)  # an actor only unreachable for now must not answer them a second time
        self.restarted_actors += 1
        refs = [ref for _, ref in slot.sent]
        # A dead actor's results all settle at once (done, or failed with it): wait, briefly, for all of them,
        # so that the first failure in order is truly the question it was answering.
        settled = set(ray.wait(refs, num_returns=len(refs), timeout=_SETTLE_TIMEOUT_S)[0])
        retry: list[int] = []
        blamed = False
        for position, ref in slot.sent:
            owner.pop(ref, None)
            if not blamed and ref in settled:
                try:
                    ready[position] = ray.get(ref)
                    continue
                except ray.exceptions.RayActorError as exc:
                    blamed = True
                    deaths[position] = deaths.get(position, 0) + 1
                    if deaths[position] >= self.max_attempts:
                        message = f"the Ray worker answering this question died {deaths[position]} times"
                        ready[position] = error_line(items[position], f"{message} ({_death_reason(exc)})")
                        continue
            retry.append(position)
        waiting.extendleft(reversed(retry))
        return _Slot(remote_actor.remote(factory))


def _death_reason(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first[:200]
