"""Unanswerable questions from answerable ones, the standard way: for a share of the questions, their gold
documents are left out of the corpus, so the right reply to them is to abstain.

Which questions lose their documents is drawn by a hash of their ids, not at random, so a rerun of the
same command builds the same corpus (and reuses its index). A document is gold for every question it supports:
removing it makes each of them unanswerable, so questions are taken whole with everything their removed
documents support, until the share is reached. Only the evaluated questions' documents are removed;
the rest of the corpus stays, distractors included."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from webqa.errors import InputError
from webqa.evaluation.datasets import EvalSet
from webqa.evaluation.gold import Gold, GoldItem


@dataclass(frozen=True)
class Construction:
    dataset: EvalSet  # the evaluated items (some now unanswerable) and the reduced corpus
    unanswerable: int  # evaluated items whose gold documents are gone
    removed_documents: int
    fingerprint: str  # short hash of the removed documents: names the reduced corpus's index


def with_unanswerable(dataset: EvalSet, items: list[GoldItem], share: float) -> Construction:
    """`items` (the evaluated ones) with about `share` of them made unanswerable, and the corpus without
    their gold documents."""
    if not 0.0 < share < 1.0:
        raise InputError(f"--unanswerable-share must be between 0 and 1 (exclusive), not {share}.")
    if dataset.documents is None:
        raise InputError(
            f"{dataset.name} is answered from an index you name, so its gold documents cannot be left out: "
            "--unanswerable-share needs a benchmark with its own corpus (hotpotqa, squad, musique)."
        )
    if any(item.multi_turn for item in items):
        raise InputError(
            f"{dataset.name} is a set of conversations; --unanswerable-share applies to single questions. "
            "Its own unanswerable turns are scored as they are."
        )
    unsupported = [item.id for item in items if not item.gold[0].supporting]
    if unsupported:
        raise InputError(
            f"{len(unsupported)} questions of {dataset.name} name no gold documents (e.g. {unsupported[0]!r}): "
            "without them no document can be left out."
        )
    names = _document_names(dataset)
    supporters: dict[str, set[str]] = {}  # document -> the evaluated items it supports
    for item in items:
        for name in item.gold[0].supporting:
            supporters.setdefault(names.get(name, name), set()).add(item.id)
    wanted = round(share * len(items))
    if wanted == 0:
        raise InputError(
            f"--unanswerable-share {share} of {len(items)} questions is no question at all: ask more questions "
            "(a larger --limit) or a larger share."
        )
    gone: set[str] = set()
    removed: set[str] = set()
    by_id = {i.id: i for i in items}
    for item in sorted(items, key=lambda i: _draw(i.id)):
        if len(gone) >= wanted:
            break
        if item.id in gone:
            continue
        # The item with every question its documents support, and theirs in turn.
        pending = [item.id]
        while pending:
            current = by_id[pending.pop()]
            if current.id in gone:
                continue
            gone.add(current.id)
            for name in current.gold[0].supporting:
                document = names.get(name, name)
                removed.add(document)
                pending.extend(supporters.get(document, set()) - gone)
    kept = [d for d in dataset.documents if d.id not in removed]
    marked = [_unanswerable(item) if item.id in gone else item for item in items]
    digest = hashlib.sha256("\n".join(sorted(removed)).encode("utf-8")).hexdigest()[:8]
    note = (
        f"{dataset.corpus_note}, without the gold documents of {len(gone)} of the {len(items)} questions "
        f"({len(removed):,} documents removed; those questions are unanswerable)"
    )
    reduced = replace(dataset, name=f"{dataset.name}-unanswerable-{digest}", items=marked, documents=kept)
    return Construction(replace(reduced, corpus_note=note), len(gone), len(removed), digest)


def _document_names(dataset: EvalSet) -> dict[str, str]:
    """A supporting passage may be named by document id or by title: both map to the id."""
    assert dataset.documents is not None
    names = {d.title: d.id for d in dataset.documents}
    names.update({d.id: d.id for d in dataset.documents})
    return names


def _draw(item_id: str) -> str:
    return hashlib.sha256(f"unanswerable:{item_id}".encode()).hexdigest()


def _unanswerable(item: GoldItem) -> GoldItem:
    gold = item.gold[0]
    return replace(item, gold=(Gold(gold.answers, gold.supporting, answerable=False),))
