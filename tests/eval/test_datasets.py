"""Each benchmark loader on fixtures cut from the real files, on the copies webqa ships, and (where the full
data is named by FULL_BENCHMARK_DATA, as on CI) on the originals; clear errors for bad or missing files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.eval.conftest import FIXTURES
from webqa.errors import InputError, WebqaError
from webqa.evaluation.datasets import dataset_status, find_data_dir, load_dataset
from webqa.evaluation.datasets.base import PACKAGED_DIR
from webqa.evaluation.gold import GoldItem, read_gold_file, write_gold_file


def _gold_passages_are_in_the_corpus(name: str, data_dir: Path | None) -> None:
    dataset = load_dataset(name, data_dir)
    assert dataset.documents is not None
    ids = {d.id for d in dataset.documents}
    assert len(ids) == len(dataset.documents), "document ids must be unique"
    missing = [p for item in dataset.items for g in item.gold for p in g.supporting if p not in ids]
    assert missing == []


def test_hotpotqa_pools_every_questions_paragraphs():
    dataset = load_dataset("hotpotqa", FIXTURES)
    assert dataset.source == str(FIXTURES / "hotpotqa" / "dev_subsampled.jsonl")
    assert len(dataset.items) == 3 and dataset.documents is not None and len(dataset.documents) == 30
    first = dataset.items[0]
    assert first.id == "5a8c7595554299585d9e36b6" and not first.multi_turn
    assert first.questions[0].startswith("What government position was held by the woman who portrayed")
    assert first.gold[0].answers == ("Chief of Protocol",)
    assert set(first.gold[0].supporting) == {"Shirley Temple", "Kiss and Tell (1945 film)"}
    assert all(len(item.gold[0].supporting) == 2 for item in dataset.items)
    _gold_passages_are_in_the_corpus("hotpotqa", FIXTURES)


def test_squad_uses_every_paragraph_and_interleaves_articles():
    dataset = load_dataset("squad", FIXTURES)
    assert dataset.documents is not None and [d.id for d in dataset.documents][:2] == [
        "Super_Bowl_50#0",
        "Super_Bowl_50#1",
    ]
    assert len(dataset.documents) == 4 and len(dataset.items) == 12 and dataset.documents[0].title == "Super Bowl 50"
    first = dataset.items[0]
    assert first.questions == ("Which NFL team represented the AFC at Super Bowl 50?",)
    assert first.gold[0].answers == ("Denver Broncos",)  # three annotators, one distinct answer
    assert first.gold[0].supporting == ("Super_Bowl_50#0",)
    articles = [item.gold[0].supporting[0].split("#")[0] for item in dataset.items[:4]]
    assert articles[0] != articles[1] and articles[0] == articles[2]  # one article's question, then the other's
    _gold_passages_are_in_the_corpus("squad", FIXTURES)


def test_musique_finds_supporting_paragraphs_in_its_corpus():
    dataset = load_dataset("musique", FIXTURES)
    assert len(dataset.items) == 3 and dataset.documents is not None and len(dataset.documents) == 60
    first = dataset.items[0]
    assert first.gold[0].answers == ("G. Stanley Hall", "Stanley Hall")
    assert [len(item.gold[0].supporting) for item in dataset.items] == [2, 4, 2]
    assert set(dataset.items[2].gold[0].supporting) == {"Canon law", "Canon law (2)"}  # a title that recurs
    _gold_passages_are_in_the_corpus("musique", FIXTURES)


def test_inscit_dialogues_become_multi_turn_lines_with_unanswerable_turns():
    dataset = load_dataset("inscit", FIXTURES)
    assert [item.id for item in dataset.items] == ["food_level1_dial24", "hobby_level1_dial29"]
    first = dataset.items[0]
    assert first.multi_turn and first.questions == (
        "Aside from cow's milk, what other animal milk is used in making cheese?",
        "Can cheese be made from soy milk?",
    )
    assert first.gold[0].supporting == ("Types of cheese:19", "Cheese:1")
    golds = dataset.items[1].gold
    assert [g.answerable for g in golds] == [True, True, False, True]  # the 4th turn asks to clarify: answerable
    assert golds[2].answers == ()
    _gold_passages_are_in_the_corpus("inscit", FIXTURES)


def test_a_loaded_set_round_trips_through_the_gold_question_file(tmp_path: Path):
    items = load_dataset("inscit", FIXTURES).items + load_dataset("musique", FIXTURES).items
    path = write_gold_file(items, tmp_path / "questions.jsonl")
    assert read_gold_file(path) == items
    assert json.loads(path.read_text().splitlines()[0])["turns"][0].startswith("Aside from cow's milk")


def _copy_of(tmp_path: Path, relative: str) -> Path:
    target = tmp_path / "data" / relative
    target.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / relative, target)
    return target


def test_a_malformed_line_names_the_file_and_line(tmp_path: Path):
    path = _copy_of(tmp_path, "hotpotqa/dev_subsampled.jsonl")
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:50]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"dev_subsampled.jsonl line 3: not valid JSON"):
        load_dataset("hotpotqa", tmp_path / "data")


def test_a_missing_field_names_the_record_and_the_field(tmp_path: Path):
    path = _copy_of(tmp_path, "musique/musique_train.json")
    shutil.copy(FIXTURES / "musique/musique_train_corpus.json", path.parent)
    records = json.loads(path.read_text())
    del records[1]["question"]
    path.write_text(json.dumps(records))
    with pytest.raises(InputError, match=r"question 2: missing field 'question'"):
        load_dataset("musique", tmp_path / "data")


def test_missing_data_says_where_it_looked_and_what_to_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(InputError, match=r"INSCIT data not found: .*inscit/dev.json\. webqa does not ship INSCIT"):
        load_dataset("inscit", tmp_path)
    with pytest.raises(InputError, match=r"no benchmark data folder is set\. .* at FOLDER/inscit/ and pass --data-dir"):
        load_dataset("inscit")
    with pytest.raises(WebqaError, match="does not exist"):
        find_data_dir(tmp_path / "nowhere")
    assert find_data_dir() is None  # nothing set, no ../shared/data: the packaged copies serve
    monkeypatch.setenv("WEBQA_EVAL_DATA_DIR", str(tmp_path))
    assert find_data_dir() == tmp_path
    with pytest.raises(WebqaError, match="Unknown dataset 'hotpot'"):
        load_dataset("hotpot")


@pytest.mark.parametrize(
    ("name", "questions", "documents"), [("hotpotqa", 500, 4858), ("squad", 10570, 2067), ("musique", 100, 1890)]
)
def test_the_packaged_copies_serve_when_no_data_folder_holds_the_set(
    name: str, questions: int, documents: int, tmp_path: Path
):
    for data_dir in (None, tmp_path):  # none given, or one without this set's files
        dataset = load_dataset(name, data_dir)
        assert Path(dataset.source).is_relative_to(PACKAGED_DIR)
        assert len(dataset.items) == questions and dataset.documents is not None and len(dataset.documents) == documents
    _gold_passages_are_in_the_corpus(name, None)


def test_a_data_folder_wins_but_never_half_of_a_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WEBQA_EVAL_DATA_DIR", str(FIXTURES))
    assert len(load_dataset("hotpotqa").items) == 3
    assert len(load_dataset("hotpotqa", tmp_path).items) == 500  # --data-dir beats the variable; lacks the file
    _copy_of(tmp_path, "musique/musique_train.json")  # the questions without their corpus
    dataset = load_dataset("musique", tmp_path / "data")
    assert Path(dataset.source).is_relative_to(PACKAGED_DIR) and len(dataset.items) == 100


def test_the_status_of_each_set_says_where_it_is_read_from(tmp_path: Path):
    statuses = {s.name: s for s in dataset_status(FIXTURES)}
    assert {s.origin for s in statuses.values()} == {"data dir"}
    assert statuses["musique"].paths == (
        FIXTURES / "musique/musique_train.json",
        FIXTURES / "musique/musique_train_corpus.json",
    )
    statuses = {s.name: s for s in dataset_status(tmp_path)}
    assert [statuses[n].origin for n in ("hotpotqa", "squad", "musique")] == ["packaged"] * 3
    assert statuses["squad"].paths == (PACKAGED_DIR / "squad" / "dev-v1.1.json.zip",)
    inscit = statuses["inscit"]
    assert not inscit.available and inscit.where() == f"missing: put {tmp_path / 'inscit' / 'dev.json'}"
    assert "--data-dir FOLDER" in {s.name: s for s in dataset_status()}["inscit"].where()


@pytest.mark.parametrize("name", ["hotpotqa", "squad", "musique"])
def test_a_packaged_copy_is_the_set_as_published(name: str, full_data: Path):
    """The same questions, ids and texts as the original files (indexes built from either one match)."""
    packaged, original = load_dataset(name), load_dataset(name, full_data)
    assert packaged.source != original.source
    assert packaged.items == original.items and packaged.documents == original.documents


def test_inscit_in_full(full_data: Path):
    dataset = load_dataset("inscit", full_data)
    assert len(dataset.items) == 86 and dataset.documents is not None and len(dataset.documents) == 996
    assert sum(len(item.questions) for item in dataset.items) == 502
    golds = [g for item in dataset.items for g in item.gold]
    unanswerable = [g for g in golds if not g.answerable]
    assert len(unanswerable) == 73 and all(not g.answers for g in unanswerable)
    _gold_passages_are_in_the_corpus("inscit", full_data)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"id": "a", "question": "Who?"}', 'has no "answers"'),
        ('{"id": "a", "question": "Who?", "answers": "Paris"}', '"answers" must be a list of strings'),
        ('{"id": "a", "answers": ["x"]}', 'no "question"'),
        ('{"id": "a", "turns": ["Hi", "Then?"], "turn_gold": [{"answers": ["x"]}]}', "one gold object per turn"),
        ('{"id": "a", "question": "Who?", "answers": [], "answerable": true}', '"answers" is empty'),
        ("[1, 2]", "expected a JSON object"),
        ('{"id": "a", "question": "Who?", "answers": ["x"]', "not valid JSON"),
    ],
)
def test_a_gold_question_file_with_a_bad_line_is_refused(tmp_path: Path, line: str, problem: str):
    path = tmp_path / "mine.jsonl"
    path.write_text('{"id": "ok", "question": "Fine?", "answers": ["yes"]}\n' + line + "\n")
    with pytest.raises(InputError, match=r"mine.jsonl line 2: .*" + re.escape(problem)):
        read_gold_file(path)


def test_a_gold_question_file_may_mark_unanswerable_questions_and_name_passages(tmp_path: Path):
    path = tmp_path / "mine.jsonl"
    path.write_text(
        '{"id": 7, "question": "Who?", "answers": ["Ann"], "supporting": ["doc-1"]}\n\n'
        '{"question": "Why?", "answers": []}\n'
    )
    first, second = read_gold_file(path)
    assert first == GoldItem("7", ("Who?",), first.gold) and first.gold[0].supporting == ("doc-1",)
    assert second.id == "line-3" and not second.gold[0].answerable


def test_a_csv_question_file_with_answers_can_be_evaluated_too(tmp_path: Path):
    path = tmp_path / "mine.csv"
    path.write_text('id,question,answers\nq1,"Who wrote Hamlet?",Shakespeare|William Shakespeare\n', encoding="utf-8")
    (item,) = read_gold_file(path)
    assert item.id == "q1" and item.gold[0].answers == ("Shakespeare", "William Shakespeare")
    path.write_text("question,answers\nWho wrote Hamlet?,Shakespeare\nWho painted it?,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"mine.csv line 3: no answers"):
        read_gold_file(path)
