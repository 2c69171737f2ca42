"""Which sentence splitter cuts the corpora best: a measurement of boundary errors and speed.

    python -m evals.sentence_splitting                 # report (needs ../shared/data)
    python -m evals.sentence_splitting --unlabelled F  # write the disputed boundaries no label covers yet

There is no gold sentence segmentation of these corpora, so the measurement adjudicates disagreements: 600
paragraphs (200 each from the Wikipedia vital summaries, HotpotQA dev and SQuAD dev, seeded) are cut by
every splitter, and each place where at least one splitter ends a sentence and another does not is
labelled by hand in evals/data/sentence_boundaries.jsonl (a boundary or not). Where all splitters agree
they are all right or all wrong together, so the disputed places rank them. An error is a false cut (the
paragraph cut inside a sentence: "the U.S. | state of Oregon") or a missed one (two sentences kept as one).

Speed is the time to cut the 600 paragraphs, against the regex splitter webqa used before in the same run.
syntok and pysbd, the other libraries compared, are not webqa dependencies: `pip install syntok pysbd`
(a splitter whose library is missing is left out of the table, which says so)."""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import random
import re
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from webqa.text import sentence_spans

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LABELS = Path(__file__).resolve().parent / "data" / "sentence_boundaries.jsonl"
PER_SOURCE = 200
CONTEXT = 40

Spans = Callable[[str], list[tuple[int, int]]]

# The splitter webqa used up to 2026-12-02, kept here as the baseline: a sentence ends at . ! ? (with closing
# quotes or brackets) before whitespace, or at a blank line.
_OLD_END = re.compile(r"""(?<=[.!?])["'”’)\]]*\s+|\n\s*\n""")


def old_regex_spans(text: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for match in _OLD_END.finditer(text):
        closing = len(match.group()) - len(match.group().lstrip("\"'”’)]"))
        spans.append((position, match.start() + closing))
        position = match.end()
    spans.append((position, len(text)))
    return [(start, end) for start, end in spans if text[start:end].strip()]


def _blingfire_spans(text: str) -> list[tuple[int, int]]:
    import blingfire

    return [tuple(span) for span in blingfire.text_to_sentences_and_offsets(text)[1]] if text.strip() else []


@functools.cache
def _pysbd_segmenter():  # noqa: ANN202 - pysbd has no type stubs
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)  # made once, not timed per paragraph


def _pysbd_spans(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in _pysbd_segmenter().segment(text)]


def _syntok_spans(text: str) -> list[tuple[int, int]]:
    import syntok.segmenter

    return [
        (sentence[0].offset, sentence[-1].offset + len(sentence[-1].value))
        for paragraph in syntok.segmenter.analyze(text)
        for sentence in paragraph
    ]


SPLITTERS: dict[str, Spans] = {
    "regex (before)": old_regex_spans,
    "webqa.text": sentence_spans,
    "blingfire": _blingfire_spans,
    "syntok": _syntok_spans,
    "pysbd": _pysbd_spans,
}


def paragraphs(data: Path) -> list[tuple[str, str]]:
    """(source, text) for PER_SOURCE paragraphs of each corpus, the same ones on every run."""
    vital = json.loads((data / "wikipedia-vital" / "summaries_en-us.json").read_text(encoding="utf-8"))
    hotpot = [
        context["paragraph_text"]
        for line in (data / "hotpotqa" / "dev_subsampled.jsonl").read_text(encoding="utf-8").splitlines()
        for context in json.loads(line)["contexts"]
    ]
    with zipfile.ZipFile(data / "squad" / "dev-v1.1.json.zip") as archive:
        squad = json.loads(archive.read("dev-v1.1.json"))
    pools = {
        "vital": [entry["extract"] for entry in vital.values() if entry.get("extract")],
        "hotpotqa": sorted(set(hotpot)),
        "squad": [p["context"] for article in squad["data"] for p in article["paragraphs"]],
    }
    rng = random.Random(0)
    return [(source, text) for source, pool in pools.items() for text in rng.sample(pool, PER_SOURCE)]


def boundaries(spans: list[tuple[int, int]], text: str) -> set[int]:
    """Where sentences end (trailing whitespace left out), the paragraph's own end not counted."""
    ends = set()
    for start, end in spans[:-1]:
        while end > start and text[end - 1].isspace():
            end -= 1
        ends.add(end)
    return ends


def _key(text: str, offset: int) -> str:
    return f"{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}:{offset}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unlabelled", type=Path, help="write the disputed places without a label here")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"error: {DATA} is not there; this measurement reads the shared benchmark data", file=sys.stderr)
        return 2
    corpus = paragraphs(DATA)
    labels = {}
    if LABELS.is_file():
        for line in LABELS.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            labels[row["key"]] = bool(row["boundary"])
    seconds: dict[str, float] = {}
    cuts: dict[str, list[set[int]]] = {}
    splitters = dict(SPLITTERS)
    for name, split in SPLITTERS.items():
        try:
            split(corpus[0][1])  # a first call loads what the library needs; not part of the timing
        except ImportError as exc:
            print(f"{name}: left out, its library is not installed ({exc.name})")
            del splitters[name]
            continue
        started = time.perf_counter()
        cuts[name] = [boundaries(split(text), text) for _, text in corpus]
        seconds[name] = time.perf_counter() - started
    disputed = []
    for index, (source, text) in enumerate(corpus):
        places = set().union(*(cuts[name][index] for name in splitters))
        for offset in sorted(places):
            if len({offset in cuts[name][index] for name in splitters}) > 1:
                disputed.append((index, source, text, offset))
    missing = [d for d in disputed if _key(d[2], d[3]) not in labels]
    if args.unlabelled:
        rows = [
            {
                "key": _key(text, offset),
                "source": source,
                "before": text[max(0, offset - CONTEXT) : offset],
                "after": text[offset : offset + CONTEXT],
                "cut_by": [n for n in splitters if offset in cuts[n][index]],
            }
            for index, source, text, offset in missing
        ]
        args.unlabelled.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
        print(f"{len(rows)} unlabelled places written to {args.unlabelled}")
        return 0
    if missing:
        print(f"error: {len(missing)} disputed places have no label; run with --unlabelled FILE", file=sys.stderr)
        return 1
    print(
        f"{len(corpus)} paragraphs, {len(disputed)} disputed places "
        f"({sum(labels[_key(t, o)] for _, _, t, o in disputed)} are sentence ends)\n"
    )
    print(f"{'splitter':<16} {'false cuts':>10} {'missed':>7} {'errors':>7} {'seconds':>8} {'vs before':>9}")
    for name in splitters:
        false_cuts = missed = 0
        for index, _, text, offset in disputed:
            cut, truth = offset in cuts[name][index], labels[_key(text, offset)]
            false_cuts += cut and not truth
            missed += truth and not cut
        ratio = seconds[name] / seconds["regex (before)"]
        print(f"{name:<16} {false_cuts:>10} {missed:>7} {false_cuts + missed:>7} {seconds[name]:>8.3f} {ratio:>8.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
