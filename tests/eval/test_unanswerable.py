"""--unanswerable-share: questions made unanswerable by leaving their gold documents out of the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DOCUMENTS
from tests.eval.conftest import FIXTURES
from webqa.cli import main
from webqa.errors import InputError
from webqa.evaluation.datasets import EvalSet, load_dataset
from webqa.evaluation.gold import Gold, GoldItem
from webqa.evaluation.unanswerable import with_unanswerable
from webqa.types import Document


def _set(items: list[GoldItem], documents: list[Document]) -> EvalSet:
    return EvalSet("toy", items, documents, "toy.jsonl", "toy corpus")


DOCS = [Document(f"d{i}", f"Title {i}", f"text {i}") for i in range(8)]


def _item(n: int, *docs: str) -> GoldItem:
    return GoldItem(f"q{n}", (f"question {n}?",), (Gold((f"answer {n}",), docs),))


def test_the_share_is_reached_and_the_gold_documents_are_gone():
    items = [_item(n, f"d{n}") for n in range(8)]
    built = with_unanswerable(_set(items, DOCS), items, 0.5)
    gone = [i for i in built.dataset.items if not i.gold[0].answerable]
    assert built.unanswerable == len(gone) == 4 and built.removed_documents == 4
    kept = {d.id for d in built.dataset.documents}
    assert all(i.gold[0].supporting[0] not in kept for i in gone)
    assert all(i.gold[0].supporting[0] in kept for i in built.dataset.items if i.gold[0].answerable)
    assert [i.gold[0].answers for i in gone] == [(f"answer {i.id[1:]}",) for i in gone]  # kept, for reference
    again = with_unanswerable(_set(items, DOCS), items, 0.5)
    assert again.fingerprint == built.fingerprint and again.dataset.name == built.dataset.name  # same corpus


def test_a_removed_document_makes_every_question_it_supports_unanswerable():
    items = [_item(0, "d0", "d1"), _item(1, "d1"), _item(2, "d2"), _item(3, "d3")]
    built = with_unanswerable(_set(items, DOCS), items, 0.25)
    status = {i.id: i.gold[0].answerable for i in built.dataset.items}
    if not status["q0"] or not status["q1"]:  # whichever of the two was drawn, the other went with it
        assert status["q0"] is status["q1"] is False
    assert built.unanswerable == sum(not v for v in status.values())


def test_supporting_passages_named_by_title_are_found():
    items = [_item(n, f"Title {n}") for n in range(4)]
    built = with_unanswerable(_set(items, DOCS[:4]), items, 0.5)
    assert len(built.dataset.documents) == 2


@pytest.mark.parametrize("share", [0.0, 1.0, 1.5])
def test_a_share_outside_zero_and_one_is_refused(share: float):
    items = [_item(0, "d0")]
    with pytest.raises(InputError, match="between 0 and 1"):
        with_unanswerable(_set(items, DOCS), items, share)


def test_sets_without_a_corpus_or_gold_documents_or_with_conversations_are_refused():
    items = [_item(0, "d0")]
    with pytest.raises(InputError, match="own corpus"):
        with_unanswerable(EvalSet("file", items, None, "f.jsonl", ""), items, 0.5)
    bare = [GoldItem("q", ("question?",), (Gold(("a",)),))]
    with pytest.raises(InputError, match="name no gold documents"):
        with_unanswerable(_set(bare, DOCS), bare, 0.5)
    inscit = load_dataset("inscit", FIXTURES)
    with pytest.raises(InputError, match="conversations"):
        with_unanswerable(inscit, inscit.items, 0.5)


def test_eval_with_an_unanswerable_share_scores_abstention_and_plots_confidence(
    cli_env, capsys: pytest.CaptureFixture[str]
):  # noqa: ANN001
    folder: Path = cli_env(SAMPLE_DOCUMENTS)
    out = folder / "u"
    args = ["eval", "--data-dir", str(FIXTURES), "hotpotqa", "--unanswerable-share", "0.5", "--out", str(out), "-q"]
    assert main(args) == 0
    assert "abstained on unanswerable" in capsys.readouterr().out
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    summary = data["systems"]["webqa"]["summary"]
    assert summary["unanswerable"] >= 1 and summary["answerable"] >= 1
    assert summary["unanswerable_accuracy"] is not None and summary["answered_answerable"] is not None
    assert data["info"]["unanswerable_share"] == 0.5 and data["info"]["index"].startswith("eval-hotpotqa-unanswerable-")
    assert "documents removed" in data["info"]["corpus"]
    questions = json.loads((out / "questions.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert "answers" in questions
    lines = [json.loads(x) for x in (out / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(x.get("answerable", True) is False for x in lines) == summary["unanswerable"]
    assert (out / "confidence.png").read_bytes()[:4] == b"\x89PNG" and "![confidence](confidence.png)" in (
        out / "report.md"
    ).read_text(encoding="utf-8")


def test_an_unanswerable_share_on_a_question_file_is_one_line_of_error(cli_env, capsys: pytest.CaptureFixture[str]):  # noqa: ANN001
    folder: Path = cli_env(SAMPLE_DOCUMENTS)
    gold = folder / "gold.jsonl"
    gold.write_text(json.dumps({"id": "a", "question": "Who?", "answers": ["x"]}) + "\n", encoding="utf-8")
    assert main(["eval", str(gold), "--unanswerable-share", "0.5", "--out", str(folder / "x"), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "own corpus" in err and err.count("\n") == 1


def test_a_share_that_leaves_no_question_unanswerable_is_refused():
    items = [_item(0, "d0")]
    with pytest.raises(InputError, match="no question at all"):
        with_unanswerable(_set(items, DOCS), items, 0.4)  # 0.4 of 1 question rounds to none
