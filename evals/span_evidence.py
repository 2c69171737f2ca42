"""The evidence the answer scorer is trained on: for each training question, the sentences webqa ranks after
browsing it exactly as `webqa ask` does, cached as JSON lines so that features can change and be refitted
without browsing again (browsing is the slow part: about half a second a question here).

    python -m evals.span_evidence squad 1000 2000     # SQuAD dev items 1,000-2,999 of the interleaved order
    python -m evals.span_evidence hotpotqa 0 500 --step 2

A run that is stopped keeps what it wrote and goes on from there when started again."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from webqa.answer import evidence
from webqa.answer.candidates import is_yes_no, question_options
from webqa.answer.evidence import Sentence
from webqa.config import load_settings
from webqa.types import Quote

CACHE = Path("evals/out/span-evidence")
KEPT = 12  # sentences kept per question: the answer scorer reads the best 8


def cache_path(name: str, start: int, count: int, step: int = 1) -> Path:
    return CACHE / f"{name}-{start}-{count}-step{step}.jsonl"


def extract(name: str, start: int, count: int, step: int = 1, data_dir: Path | None = None) -> Path:
    """Browse dataset `name`'s items start, start+step, ... (before start+count) on its closed-corpus index and
    append each question's ranked sentences to the cache; questions already there are skipped."""
    from webqa.assistant import Assistant
    from webqa.evaluation.datasets import load_dataset
    from webqa.evaluation.runner import build_dataset_index

    path = cache_path(name, start, count, step)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = {json.loads(line)["id"] for line in path.open(encoding="utf-8")} if path.is_file() else set()
    settings = load_settings().model_copy(update={"default_index": f"eval-{name}"})
    dataset = load_dataset(name, data_dir)
    build_dataset_index(dataset, f"eval-{name}", settings, progress=True)
    assistant = Assistant(settings)
    items = [i for i in dataset.items[start : start + count : step] if not verdict_question(i.questions[0])]
    started = time.perf_counter()
    with path.open("a", encoding="utf-8") as out:
        for number, item in enumerate(items):
            if item.id in done:
                continue
            question = item.questions[0]
            _, browser = assistant._browse(question, None, None)
            ranked = evidence.rank(
                question, evidence.collect(browser.pages_read, browser.quotes), assistant.relevance()
            )
            record = {
                "id": item.id,
                "question": question,
                "golds": sorted(set(item.gold[0].answers)),
                "sentences": [_sentence_dict(s) for s in ranked[:KEPT]],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            if number % 100 == 0:
                print(f"{name}: {number}/{len(items)} questions, {time.perf_counter() - started:.0f} s", flush=True)
    return path


def load(path: Path) -> list[dict]:
    """The cached questions, each with `sentences` as Sentence objects again."""
    records = []
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        record["sentences"] = [_sentence(s) for s in record["sentences"]]
        records.append(record)
    return records


def verdict_question(question: str) -> bool:
    """Yes/no and "X or Y?" questions are answered by a verdict, not by a span."""
    return is_yes_no(question) or len(question_options(question)) >= 2


def _sentence_dict(sentence: Sentence) -> dict:
    q = sentence.quote
    via = sentence.via
    return {
        "text": q.text,
        "title": q.title,
        "url": q.url,
        "doc_id": q.doc_id,
        "start": q.start,
        "end": q.end,
        "relevance": sentence.relevance,
        "rank": sentence.rank,
        "coverage": sentence.coverage,
        "via": None if via is None else [via.text, via.title, via.url, via.doc_id, via.start, via.end],
    }


def _sentence(data: dict) -> Sentence:
    quote = Quote(data["text"], data["title"], data["url"], data["doc_id"], data["start"], data["end"])
    via = data["via"]
    return Sentence(
        quote,
        data["relevance"],
        data["rank"],
        data["coverage"],
        None if via is None else Quote(via[0], via[1], via[2], via[3], via[4], via[5]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("start", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--step", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    print(extract(args.dataset, args.start, args.count, args.step, args.data_dir))


if __name__ == "__main__":
    main()
