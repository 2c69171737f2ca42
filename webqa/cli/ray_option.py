"""`--ray [ADDRESS]`, shared by `index build`, `batch` and `eval`: an option whose value may be left out.

typer has no options with optional values, so `main()` rewrites a bare `--ray` into `--ray=local` before
parsing. What follows `--ray` is its address only when it reads as one (auto, local, ray://..., HOST:PORT);
anything else (a corpus path, another option) is left for the command, as in `--ray corpus.jsonl`."""

from __future__ import annotations

import re

import typer

from webqa.distributed.cluster import LOCAL

FLAG = "--ray"
_ADDRESS = re.compile(r"^(auto|local|ray://\S+|[\w.-]+:\d+)$")

RAY = typer.Option(
    None,
    FLAG,
    metavar="[ADDRESS]",
    help="Run on Ray: --ray alone starts a local Ray for this run; --ray auto (on a cluster node), "
    "--ray HOST:6379 or --ray ray://HOST:10001 joins an existing cluster. Needs Ray: webqa's ray extra.",
    show_default=False,
)


def expand_bare_ray(argv: list[str]) -> list[str]:
    """`--ray` without an address becomes `--ray=local`; everything else is kept as typed."""
    expanded: list[str] = []
    for position, word in enumerate(argv):
        if word == "--":
            return expanded + argv[position:]
        following = argv[position + 1] if position + 1 < len(argv) else None
        if word == FLAG and (following is None or not _ADDRESS.match(following)):
            expanded.append(f"{FLAG}={LOCAL}")
        else:
            expanded.append(word)
    return expanded
