"""The `relevance` command: run, validate, simulate (and batch and planning commands).

Exit codes: 0 ok, 1 a run failed, 2 bad input (config or data). Messages name the file, the
field and the fix; a traceback only with --debug.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from relevance.errors import InputError, RelevanceError, RunFailed

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Does this email beat sending nothing? Bayesian reports for campaigns with a no-send holdout.",
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
stdout = Console(highlight=False, soft_wrap=True)

Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the result line (for CI).")]
QuickOption = Annotated[
    bool,
    typer.Option("--quick", help="Fewer draws (configs/quick.yaml): a fast look, not a decision."),
]
ProfileOption = Annotated[
    str | None, typer.Option("--profile", help="A profile in configs/, e.g. quick.")
]


class Progress:
    """Step messages on stderr with timings; silent with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()

    def step(self, message: str) -> None:
        if not self.quiet:
            err.print(f"[dim]{time.perf_counter() - self.started:6.1f}s[/dim] {message}")


def fail(error: BaseException, debug: bool) -> None:
    """Print an error the way users should see it, then exit with its code."""
    if debug:
        traceback.print_exception(error)
    # Messages quote user strings (labels, column names, values): never read them as markup.
    if isinstance(error, InputError):
        err.print(f"[bold red]error:[/bold red] {escape(error.render())}", highlight=False)
        raise typer.Exit(2)
    if isinstance(error, RunFailed):
        err.print(f"[bold red]run failed:[/bold red] {escape(str(error))}")
        raise typer.Exit(1)
    err.print(
        f"[bold red]unexpected error:[/bold red] {type(error).__name__}: {escape(str(error))} "
        "(run with --debug for the traceback)"
    )
    raise typer.Exit(1)


def run_experiment(
    experiment: Path,
    out_dir: Path,
    profile: str | None,
    seed: int | None,
    progress: Progress,
    notebook: Path | None = None,
) -> tuple[Path, dict[str, float]]:
    """Run the campaign notebook into a staging folder and swap it into `out_dir/NAME`."""
    from relevance.config import load_experiment
    from relevance.notebook import execute, notebook_path, render_html
    from relevance.outputs import inside, staged_folder

    seconds: dict[str, float] = {}
    loaded = load_experiment(experiment, profile=profile)
    target = inside(out_dir, loaded.name)
    progress.step(f"experiment [bold]{loaded.name}[/bold] is valid; running the report notebook")
    with staged_folder(target) as staging:
        started = time.perf_counter()
        execute(
            notebook or notebook_path("campaign_report"),
            staging / "report.ipynb",
            {
                "experiment_path": str(experiment.resolve()),
                "output_dir": str(staging),
                "profile": profile or "",
                "seed": seed,
            },
            cwd=Path.cwd(),
        )
        seconds["notebook"] = time.perf_counter() - started
        progress.step("notebook executed; rendering HTML")
        started = time.perf_counter()
        size = render_html(staging / "report.ipynb", staging / "report.html", loaded.name)
        seconds["html"] = time.perf_counter() - started
        seconds["html_bytes"] = size
    return target, seconds


@app.command()
def run(
    experiment: Annotated[
        Path, typer.Argument(help="Experiment YAML, e.g. experiments/demo.yaml.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for reports; the run writes OUT/NAME/.")
    ] = Path("reports"),
    quick: QuickOption = False,
    profile: ProfileOption = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Override the sampler seed.")] = None,
    notebook: Annotated[
        Path | None, typer.Option("--notebook", help="Your own report notebook (same parameters).")
    ] = None,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Analyse one experiment: notebook, report.html, results.json and the posterior."""
    progress = Progress(quiet)
    try:
        target, _ = run_experiment(
            experiment, out, profile or ("quick" if quick else None), seed, progress, notebook
        )
        from relevance.results import Results

        results = Results.read(target / "results.json")
    except (RelevanceError, OSError) as error:
        fail(error, debug)
        return
    except Exception as error:  # a failure we did not foresee: still no traceback by default
        fail(error, debug)
        return
    progress.step(f"report written to {target / 'report.html'}")
    stdout.print(f"{results.experiment}: {results.campaign.headline}")
    for verdict in results.verdicts:
        if not quiet:
            stdout.print(f"  - {verdict.sentence}")


@app.command()
def plan(
    baseline_rate: Annotated[
        float, typer.Option(help="Conversion rate without the email, per recipient (0.03 = 3%).")
    ],
    expected_uplift: Annotated[
        float, typer.Option(help="Uplift you expect from sending, absolute per recipient.")
    ],
    rope: Annotated[
        float, typer.Option(help="Effects this small do not matter (absolute per recipient).")
    ] = 0.001,
    recipients: Annotated[int, typer.Option(help="Recipients per send.")] = 200_000,
    shares: Annotated[
        str, typer.Option(help="Holdout shares to compare, comma-separated.")
    ] = "0.02,0.05,0.1,0.2",
    value_per_conversion: Annotated[
        float, typer.Option(help="Value of one conversion (currency).")
    ] = 0.0,
    target_assurance: Annotated[
        float, typer.Option(help="Wanted chance of a clear verdict.")
    ] = 0.8,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 20261123,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the plan report (OUT/plan/).")
    ] = Path("reports"),
    name: Annotated[str, typer.Option(help="Name of the plan's folder.")] = "plan",
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """How big a no-send holdout to keep: chance of a clear verdict and cost, per share."""
    from pydantic import ValidationError

    from relevance.notebook import execute, notebook_path, render_html
    from relevance.outputs import inside, staged_folder
    from relevance.planning import Plan, PlanInputs

    progress = Progress(quiet)
    try:
        share_list = [float(x) for x in shares.split(",") if x.strip()]
        inputs = PlanInputs(
            baseline_rate=baseline_rate,
            expected_uplift=expected_uplift,
            rope=rope,
            recipients=recipients,
            holdout_shares=share_list,
            value_per_conversion=value_per_conversion,
            target_assurance=target_assurance,
            seed=seed,
        )
        target = inside(out, name)
        progress.step("inputs are valid; running the planning notebook")
        with staged_folder(target) as staging:
            parameters = inputs.model_dump(
                mode="json",
                include=set(PlanInputs.model_fields)
                - {"posterior_draws", "currency", "probability", "simulations"},
            )
            execute(
                notebook_path("holdout_planning"),
                staging / "plan.ipynb",
                {**parameters, "output_dir": str(staging)},
                cwd=Path.cwd(),
            )
            render_html(staging / "plan.ipynb", staging / "plan.html", f"holdout plan: {name}")
        result = Plan.model_validate_json((target / "plan.json").read_text(encoding="utf-8"))
    except ValueError as error:
        if isinstance(error, ValidationError):
            first = error.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            error = InputError(
                None,
                f"--{where.split('.')[0].replace('_', '-')}",
                first["msg"],
                "see `relevance plan --help`",
            )
        else:
            error = InputError(
                None,
                "--shares",
                f"not a comma-separated list of numbers: {shares!r}",
                "e.g. --shares 0.05,0.1,0.2",
            )
        fail(error, debug)
        return
    except Exception as error:
        fail(error, debug)
        return
    progress.step(f"plan written to {target / 'plan.html'}")
    stdout.print(result.sentence)


@app.command()
def validate(
    experiment: Annotated[Path, typer.Argument(help="Experiment YAML to check.")],
    debug: Debug = False,
) -> None:
    """Check an experiment's config and data in seconds, without fitting any model."""
    from relevance.config import load_experiment

    notes = []  # warnings and notes: shown after the errors, or on success
    try:
        loaded = load_experiment(experiment)
        from relevance.checks import row_checks, run_checks, stop_on_errors  # pandas, DuckDB
        from relevance.results import Severity
        from relevance.sources import load_cells, rows_path

        cells = load_cells(loaded)
        path = rows_path(loaded)
        findings = run_checks(loaded, cells, row_checks(loaded, path) if path else None)
        notes = [f for f in findings if f.severity is not Severity.ERROR]
        stop_on_errors(loaded, findings)
    except Exception as error:
        try:
            fail(error, debug)
        finally:
            for note in notes:
                stdout.print(f"[{note.severity.value}] {note.message}", markup=False)
        return
    for note in notes:
        stdout.print(f"[{note.severity.value}] {note.message}", markup=False)
    stdout.print(
        f"{loaded.name}: config and data are valid ({cells.recipients:,} recipients, {len(cells.frame)} cells)."
    )


@app.command()
def simulate(
    out_file: Annotated[Path, typer.Argument(help="Parquet file to write.")],
    preset: Annotated[
        str, typer.Option(help="demo, null, a_beats_b_neither_beats or fatigue.")
    ] = "demo",
    recipients: Annotated[int, typer.Option(min=100, help="Number of recipients.")] = 200_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    debug: Debug = False,
) -> None:
    """Write a synthetic campaign with known truth (one row per recipient) to Parquet."""
    from relevance import simulate as simulator

    try:
        spec = simulator.preset(preset, recipients=recipients, seed=seed)
        started = time.perf_counter()
        simulator.write_parquet(spec, out_file)
    except ValueError as error:
        fail(InputError(None, "--preset", str(error), "choose one of the listed presets"), debug)
        return
    except Exception as error:
        fail(error, debug)
        return
    stdout.print(
        f"wrote {recipients:,} recipients ({preset}, seed {seed}) to {out_file} in {time.perf_counter() - started:.1f}s"
    )


@app.command("run-all")
def run_all(
    folder: Annotated[
        Path, typer.Argument(help="Folder of experiment YAML files, e.g. experiments/.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for reports, OUT/NAME/ and OUT/index.html.")
    ] = Path("reports"),
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Experiments run at once (default: one per core)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rerun experiments whose inputs did not change.")
    ] = False,
    quick: QuickOption = False,
    profile: ProfileOption = None,
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """Run every experiment in a folder, keep going past failures, write an index page.

    Unchanged experiments are skipped unless --force (OUT/NAME/fingerprint.txt).

    Exits 1 if any experiment failed; the others are still done.
    """
    from relevance.batch import run_batch, summary_table

    progress = Progress(quiet)
    try:
        batch = run_batch(
            folder, out, profile or ("quick" if quick else None), jobs, force, progress.step
        )
    except (RelevanceError, OSError) as error:
        fail(error, debug)
        return
    if debug:
        for outcome in batch.failed:
            if outcome.debug:
                err.print(outcome.debug, markup=False)
    # CI logs are not terminals: give the table room instead of rich's 80 columns.
    wide = stdout if stdout.is_terminal else Console(highlight=False, width=160)
    wide.print(summary_table(batch))
    raise typer.Exit(1 if batch.failed else 0)


def main() -> None:
    """Entry point of the `relevance` console script."""
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
