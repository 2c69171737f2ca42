"""`webqa index build|search|list|info|remove`."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

import typer

from webqa.cli import options
from webqa.cli.ray_option import RAY
from webqa.errors import InputError, WebqaError

# Each command imports what it uses: `webqa index list` reads manifests and should not load FAISS, BM25
# or an embedding model to do it.
if TYPE_CHECKING:
    from webqa.config import Settings

MODES = ("hybrid", "dense", "sparse")  # webqa.index.search.MODES, without importing the search stack

index_app = typer.Typer(
    rich_markup_mode=options.PLAIN_HELP, help="Build, inspect and search local document indexes.", no_args_is_help=True
)


@index_app.command("build")
def build_command(
    sources: list[str] = typer.Argument(
        None,
        help="Corpus .jsonl/.jsonl.gz files, folders of .txt/.md/.html files, or URL lists (.urls, or .txt of URLs). "
        "Omit to rebuild from indexes/NAME.toml or from the sources of the last build.",
        show_default=False,
    ),
    name: str = typer.Option(..., "--name", "-n", help="Index name (a folder under the index directory)."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip malformed records and report how many."),
    as_json: bool = typer.Option(False, "--json", help="Print the build report as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    ray: str = RAY,
    ray_actors: int = typer.Option(
        None,
        "--ray-actors",
        min=1,
        help="With --ray: embedding actors, each loads the model once (default: one per CPU).",
    ),
    ray_batch_size: int = typer.Option(
        None,
        "--ray-batch-size",
        min=1,
        help="With --ray: chunks per embedding call of an actor (default: the local build's block, 512).",
        show_default=False,
    ),
) -> None:
    """Build an index, or update it: only new or changed documents are embedded again."""
    from webqa.config import load_settings
    from webqa.index import build_index

    settings = load_settings()
    if ray is None:
        if ray_actors is not None:
            raise InputError("--ray-actors counts Ray actors: add --ray (or --ray ADDRESS), or leave it out.")
        report = build_index(name, sources or [], settings, skip_bad=skip_bad, progress=not quiet)
    else:
        from webqa.distributed.ray_index import build_index_on_ray
        from webqa.index.fresh_chunks import EMBED_BLOCK

        report = build_index_on_ray(
            name,
            sources or [],
            settings,
            address=ray,
            actors=ray_actors,
            batch_size=ray_batch_size or EMBED_BLOCK,
            skip_bad=skip_bad,
            progress=not quiet,
        )
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2))
        return
    for message in report.skipped[:20]:
        typer.echo(f"skipped: {message}", err=True)
    if report.skipped:
        typer.echo(f"skipped {len(report.skipped)} bad record(s)", err=True)
    if report.up_to_date:
        typer.echo(f"Index '{report.name}' is up to date: {report.documents} documents, {report.chunks} chunks.")
        return
    if report.full_rebuild_reason:
        typer.echo(f"re-embedded everything: {report.full_rebuild_reason}", err=True)
    typer.echo(
        f"Index '{report.name}': {report.documents} documents, {report.chunks} chunks "
        f"({report.added} added, {report.changed} changed, {report.unchanged} unchanged, "
        f"{report.removed} removed; {report.embedded_chunks} chunks embedded, {report.reused_chunks} reused) "
        f"in {report.seconds:.1f}s"
    )


@index_app.command("search")
def search_command(
    name: str = typer.Argument(..., help="Index name."),
    query: str = typer.Argument(..., help="What to look for."),
    k: int = typer.Option(10, "-k", min=1, help="How many hits."),
    mode: str = typer.Option("hybrid", "--mode", help=f"One of: {', '.join(MODES)}."),
    as_json: bool = typer.Option(False, "--json", help="Print hits as JSON."),
) -> None:
    """Search an index and show the hits with their scores and sources."""
    if mode not in MODES:
        raise InputError(f"Unknown mode '{mode}': use one of {', '.join(MODES)}.")
    from webqa.config import load_settings
    from webqa.index.search import open_index

    settings = load_settings()
    index = open_index(name, settings)
    hits = index.search(query, k, mode)
    if as_json:
        typer.echo(json.dumps([_hit_json(h) for h in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        typer.echo("no hits")
    for hit in hits:
        parts = " ".join(f"{key}={value:.3f}" for key, value in hit.scores.items())
        typer.echo(f"{hit.rank:>3}. {hit.chunk.title}  [{hit.score:.4f}; {parts}]")
        typer.echo(f"     {hit.url or hit.chunk.doc_id}  (chars {hit.chunk.start}-{hit.chunk.end})")
        typer.echo(f"     {_shorten(hit.chunk.text)}")


def _hit_json(hit) -> dict:  # noqa: ANN001
    return {
        "rank": hit.rank,
        "score": hit.score,
        "scores": hit.scores,
        "doc_id": hit.chunk.doc_id,
        "title": hit.chunk.title,
        "url": hit.url,
        "start": hit.chunk.start,
        "end": hit.chunk.end,
        "text": hit.chunk.text,
    }


def _shorten(text: str, width: int = 220) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@index_app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """List built indexes, with a status that says whether each can be searched."""
    from webqa.config import load_settings
    from webqa.index.layout import list_index_names

    settings = load_settings()
    rows = [_list_row(name, settings) for name in list_index_names(settings.index_dir)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo(f"No indexes in {settings.index_dir}. Build one with: webqa index build SOURCE... --name NAME")
    for row in rows:
        if row["status"] != "ok":
            typer.echo(f"{row['name']:<24} {row['status']}")
            continue
        typer.echo(
            f"{row['name']:<24} {row['document_count']:>9} docs {row['chunk_count']:>9} chunks  "
            f"{row['embedding_model']:<14} {_size(row['size_bytes'])}  built {row['built_at']}"
        )


def _list_row(name: str, settings: Settings) -> dict[str, object]:
    """Any index can be listed whatever model built it; damage shows as its status, not a failure."""
    from webqa.index.checks import inspect_index
    from webqa.index.layout import folder_size

    try:
        folder, manifest = inspect_index(name, settings)
    except WebqaError as exc:
        return {"name": name, "status": str(exc)}
    return {"status": "ok", **manifest.summary(), "path": str(folder), "size_bytes": folder_size(folder)}


@index_app.command("info")
def info_command(
    name: str = typer.Argument(..., help="Index name."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    documents: bool = typer.Option(
        False, "--documents", "-d", help="Also list every document: id, title and URL (e.g. the browsed pages)."
    ),
) -> None:
    """Show an index's documents, chunks, model, size on disk and build time."""
    from webqa.config import load_settings
    from webqa.index.search import open_index

    index = open_index(name, load_settings())
    try:
        info = index.info()
        listed = (
            [{"id": d.id, "title": d.title, "url": d.url} for d in index.store.iter_documents()] if documents else []
        )
    finally:
        index.close()
    if as_json:
        typer.echo(json.dumps({**info, "documents": listed} if documents else info, indent=2, ensure_ascii=False))
        return
    for key, value in info.items():
        shown = _size(value) if key == "size_bytes" else value
        typer.echo(f"{key:<20} {shown}")
    for document in listed:
        typer.echo(
            f"  {document['id']}  {document['title']}"
            + (f"  <{document['url']}>" if document["url"] != document["id"] else "")
        )


@index_app.command("remove")
def remove_command(name: str = typer.Argument(..., help="Index name.")) -> None:
    """Delete a built index (its definition file, if any, stays)."""
    from webqa.config import load_settings
    from webqa.index.builder import remove_index
    from webqa.index.search import open_index

    settings = load_settings()
    open_index(name, settings).close()  # fails clearly when there is no such index
    remove_index(name, settings)
    typer.echo(f"removed index '{name}'")


def _size(size: object) -> str:
    value = float(size)  # type: ignore[arg-type]
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1024
    return f"{value:.1f} GB"
