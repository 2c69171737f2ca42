"""Convert the Wikipedia vital-article summaries in ../shared/data into webqa's corpus JSONL.

Run from the project root:  python evals/prepare_vital_corpus.py
Writes webqa/data/wikipedia-vital.jsonl.gz (byte-for-byte reproducible: gzip mtime is fixed).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "wikipedia-vital"
TARGET = ROOT / "webqa" / "data" / "wikipedia-vital.jsonl.gz"


def wikipedia_url(title: str) -> str:
    return "https://en.wikipedia.org/wiki/" + quote(title.replace(" ", "_"), safe="_()',-.:!")


def main() -> int:
    summaries = json.loads((SOURCE / "summaries_en-us.json").read_text(encoding="utf-8"))
    categories = json.loads((SOURCE / "titles_en-us.json").read_text(encoding="utf-8"))
    lines = []
    for key in sorted(summaries):
        entry = summaries[key]
        title = entry["title"]
        metadata = {"description": entry.get("description", ""), "topic": entry.get("topic", "")}
        if key in categories:
            metadata["category"] = categories[key]
        record = {
            "id": title,
            "title": title,
            "text": entry["extract"].strip(),
            "url": wikipedia_url(title),
            "metadata": metadata,
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    with open(TARGET, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(payload)
    print(f"wrote {len(lines)} documents to {TARGET.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
