"""Each benchmark loader on the real files in ../shared/data, and clear errors for bad ones."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from webqa.errors import InputError, WebqaError
from webqa.evaluation.datasets import find_data_dir, load_dataset
from webqa.evaluation.gold import GoldItem, read_gold_file, write_gold_file


@pytest.fixture(scope="module")
def data_dir() -> Path:
    return find_data_dir()


def _gold_passages_are_in_the_corpus(name: str, data_dir: Path) -> None:
    dataset = load_dataset(name, data_dir)
    assert dataset.documents is not None
    ids = {d.id for d in dataset.documents}
    assert len(ids) == len(dataset.documents), "document ids must be unique"
    missing = [p for item in dataset.items for g in item.gold for p in g.supporting if p not in ids]
    assert missing == []


def test_hotpotqa_pools_every_questions_paragraphs(data_dir: Path):
    dataset = load_dataset("hotpotqa", data_dir)
    assert len(dataset.items) == 500 and dataset.documents is not None and len(dataset.documents) == 4858
    first = dataset.items[0]
    assert first.id == "5a8c7595554299585d9e36b6" and not first.multi_turn
    assert first.questions[0].startswith("What government position was held by the woman who portrayed")
    assert first.gold[0].answers == ("Chief of Protocol",)
    assert set(first.gold[0].supporting) == {"Shirley Temple", "Kiss and Tell (1945 film)"}
    assert all(len(item.gold[0].supporting) == 2 for item in dataset.items)
    _gold_passages_are_in_the_corpus("hotpotqa", data_dir)


def test_squad_uses_every_paragraph_and_interleaves_articles(data_dir: Path):
    dataset = load_dataset("squad", data_dir)
    assert dataset.documents is not None and len(dataset.documents) == 2067
    assert len(dataset.items) == 10570
    first = dataset.items[0]
    assert first.questions == ("Which NFL team represented the AFC at Super Bowl 50?",)
    assert first.gold[0].answers == ("Denver Broncos",)  # three annotators, one distinct answer
    assert first.gold[0].supporting == ("Super_Bowl_50#0",)
    articles = {item.gold[0].supporting[0].split("#")[0] for item in dataset.items[:48]}
    assert len(articles) == 48  # the first 48 questions come from 48 different articles
    _gold_passages_are_in_the_corpus("squad", data_dir)


def test_musique_finds_supporting_paragraphs_in_its_corpus(data_dir: Path):
    dataset = load_dataset("musique", data_dir)
    assert len(dataset.items) == 100 and dataset.documents is not None and len(dataset.documents) == 1890
    first = dataset.items[0]
    assert first.gold[0].answers == ("G. Stanley Hall", "Stanley Hall")
    hops = [len(item.gold[0].supporting) for item in dataset.items]
    assert min(hops) == 2 and max(hops) == 4
    _gold_passages_are_in_the_corpus("musique", data_dir)


def test_inscit_dialogues_become_multi_turn_lines_with_unanswerable_turns(data_dir: Path):
    dataset = load_dataset("inscit", data_dir)
    assert len(dataset.items) == 86 and dataset.documents is not None and len(dataset.documents) == 996
    assert sum(len(item.questions) for item in dataset.items) == 502
    first = dataset.items[0]
    assert first.multi_turn and first.id == "food_level1_dial24"
    assert first.questions[:2] == (
        "Aside from cow's milk, what other animal milk is used in making cheese?",
        "Can cheese be made from soy milk?",
    )
    assert first.gold[0].supporting == ("Types of cheese:19", "Cheese:1")
    golds = [g for item in dataset.items for g in item.gold]
    unanswerable = [g for g in golds if not g.answerable]
    assert len(unanswerable) == 73 and all(not g.answers for g in unanswerable)
    _gold_passages_are_in_the_corpus("inscit", data_dir)


def test_a_loaded_set_round_trips_through_the_gold_question_file(data_dir: Path, tmp_path: Path):
    items = load_dataset("inscit", data_dir).items[:3] + load_dataset("musique", data_dir).items[:3]
    path = write_gold_file(items, tmp_path / "questions.jsonl")
    assert read_gold_file(path) == items
    assert json.loads(path.read_text().splitlines()[0])["turns"][0].startswith("Aside from cow's milk")


def _copy_of(data_dir: Path, tmp_path: Path, relative: str) -> Path:
    target = tmp_path / "data" / relative
    target.parent.mkdir(parents=True)
    shutil.copy(data_dir / relative, target)
    return target


def test_a_malformed_line_names_the_file_and_line(data_dir: Path, tmp_path: Path):
    path = _copy_of(data_dir, tmp_path, "hotpotqa/dev_subsampled.jsonl")
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:50]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"dev_subsampled.jsonl line 3: not valid JSON"):
        load_dataset("hotpotqa", tmp_path / "data")


def test_a_missing_field_names_the_record_and_the_field(data_dir: Path, tmp_path: Path):
    path = _copy_of(data_dir, tmp_path, "musique/musique_train.json")
    shutil.copy(data_dir / "musique/musique_train_corpus.json", path.parent)
    records = json.loads(path.read_text())
    del records[4]["question"]
    path.write_text(json.dumps(records))
    with pytest.raises(InputError, match=r"question 5: missing field 'question'"):
        load_dataset("musique", tmp_path / "data")


def test_missing_data_says_where_it_looked_and_what_to_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(InputError, match=r"INSCIT data not found: .*inscit/dev.json"):
        load_dataset("inscit", tmp_path)
    with pytest.raises(WebqaError, match="does not exist"):
        find_data_dir(tmp_path / "nowhere")
    monkeypatch.setenv("WEBQA_EVAL_DATA_DIR", str(tmp_path))
    assert find_data_dir() == tmp_path
    with pytest.raises(WebqaError, match="Unknown dataset 'hotpot'"):
        load_dataset("hotpot")


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
