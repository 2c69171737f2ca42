"""`webqa eval DATASET` (the same as `webqa eval run DATASET`) and `webqa eval compare RUN_A RUN_B`."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from webqa.cli import options
from webqa.cli.ray_option import RAY
from webqa.registry import DATASETS


class _RunByDefault(TyperGroup):
    """`webqa eval hotpotqa ...` means `webqa eval run hotpotqa ...`: a first word that names no
    subcommand is a dataset. So does `webqa eval --data-dir D hotpotqa`: without --list, the options the
    group shares with `run` are run's."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        dataset_first = args and not args[0].startswith("-") and args[0] not in self.commands
        run_option_first = args and args[0].split("=")[0] in ("--data-dir", "--json") and "--list" not in args
        if dataset_first or run_option_first:
            args = ["run", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    rich_markup_mode=options.PLAIN_HELP,
    cls=_RunByDefault,
    help=f"Measure answers on public benchmarks ({', '.join(DATASETS.names())}) or your own gold question "
    "file: `webqa eval DATASET`, `webqa eval compare RUN_A RUN_B`; `webqa eval --list` shows which benchmarks "
    "are available.",
    no_args_is_help=True,
    invoke_without_command=True,
)

DATA_DIR_HELP = (
    "Folder holding the benchmarks (default: WEBQA_EVAL_DATA_DIR, else ../shared/data); "
    "a set it lacks is read from the copy webqa ships, if any."
)


@eval_app.callback()
def eval_callback(
    list_datasets: bool = typer.Option(
        False, "--list", help="Show each benchmark, whether it is available, and from where; then exit."
    ),
    data_dir: Path = typer.Option(
        None, "--data-dir", help="With --list: the folder to look in, as for `webqa eval run`."
    ),
    as_json: bool = typer.Option(False, "--json", help="With --list: print the list as JSON."),
) -> None:
    if not list_datasets:
        return
    from webqa.evaluation.datasets import dataset_status

    statuses = dataset_status(data_dir)
    if as_json:
        rows = [
            {"dataset": s.name, "available": s.available, "origin": s.origin, "paths": [str(p) for p in s.paths]}
            for s in statuses
        ]
        typer.echo(json.dumps(rows, indent=2))
    else:
        width = max(len(s.name) for s in statuses)
        for status in statuses:
            typer.echo(f"{status.name:<{width}}  {'yes' if status.available else 'no ':<3}  {status.where()}")
    raise typer.Exit()


@eval_app.command("run")
def run_command(
    dataset: str = typer.Argument(
        ...,
        help=f"{', '.join(DATASETS.names())}, or a .jsonl question file with gold 'answers' "
        "(answered from --index, default: the default index).",
    ),
    limit: int = typer.Option(None, "--limit", "-n", min=1, help="Only the first N questions (conversations)."),
    llm: str = options.LLM,
    policy: str = options.POLICY,
    mode: str = options.MODE,
    abstain_below: float = options.CONFIDENCE,
    best_of: int = options.BEST_OF,
    reward: Path = options.REWARD,
    unanswerable_share: float = typer.Option(
        None,
        "--unanswerable-share",
        help="Leave the gold documents of this share of the questions (e.g. 0.5) out of the corpus: those become "
        "unanswerable, and abstaining is their right reply.",
    ),
    index: str = typer.Option(
        None, "--index", help="Answer from this index instead of building the dataset's own (eval-DATASET)."
    ),
    out: Path = typer.Option(
        None, "--out", "-o", help="Run folder (default: evals/runs/DATASET-POLICY-MODE). Rerun to resume."
    ),
    baseline: bool = typer.Option(
        False, "--baseline", help="Also run naive RAG (LangChain, same models) on the same questions."
    ),
    baseline_k: int = typer.Option(3, "--baseline-k", min=1, help="Chunks the baseline stuffs into its prompt."),
    workers: int = typer.Option(
        None,
        "--workers",
        "-w",
        min=1,
        help="Worker processes for the batch answers (default 1); with --ray, Ray actors (default: one per CPU).",
    ),
    ray: str = RAY,
    data_dir: Path = typer.Option(None, "--data-dir", help=DATA_DIR_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the summaries as JSON instead of a table."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Build (or reuse) the dataset's index, answer its questions in a batch, score them, and write
    report.json, report.md and plots into the run folder."""
    from webqa.evaluation.report import metrics_table, write_report
    from webqa.evaluation.runner import EvalRequest, run_eval

    settings = options.settings_with(
        llm=llm, policy=policy, mode=mode, abstain_below=abstain_below, best_of=best_of, reward=reward
    )
    options.check_best_of(settings)
    request = EvalRequest(
        dataset=dataset,
        limit=limit,
        index=index,
        out=out,
        baseline=baseline,
        baseline_k=baseline_k,
        workers=workers or 1,
        ray=ray,
        ray_actors=workers,
        data_dir=data_dir,
        progress=not quiet,
        unanswerable_share=unanswerable_share,
        command=shlex.join(["webqa", *sys.argv[1:]]) if sys.argv and sys.argv[0].endswith("webqa") else "",
    )
    run = run_eval(request, settings)
    written = write_report(run)
    if as_json:
        typer.echo(json.dumps({s.name: s.summary for s in run.systems}, indent=2))
    else:
        typer.echo(metrics_table(run.systems))
    typer.echo(f"report: {written['report.md']}", err=True)


@eval_app.command("compare")
def compare_command(
    run_a: str = typer.Argument(..., help="A run folder (or its report.json); FOLDER@baseline for its baseline."),
    run_b: str = typer.Argument(..., help="The run to set beside it."),
    by: str = typer.Option("f1", "--by", help="Per-question score for wins and losses: f1, em, answer_recall."),
    examples: int = typer.Option(5, "--examples", min=0, help="Questions to show for each side's wins."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Two runs side by side: every figure, and the questions each one answered better."""
    from webqa.evaluation.compare import compare_runs, render_comparison

    comparison = compare_runs(run_a, run_b, by)
    if as_json:
        typer.echo(json.dumps(comparison.to_json(), indent=2))
    else:
        typer.echo(render_comparison(comparison, examples), nl=False)
