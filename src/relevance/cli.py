"""The `relevance` command: run, validate, simulate (and batch and planning commands).

Exit codes: 0 ok, 1 a run failed, 2 bad input (config or data). Messages name the file, the
field and the fix; a traceback only with --debug.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from relevance.config import DEFAULT_SEED
from relevance.errors import InputError, RunFailed

if TYPE_CHECKING:
    from relevance.batch.outcome import Batch
    from relevance.planning.plan import PlanInputs

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Does this email beat sending nothing? Bayesian reports for campaigns with a no-send holdout.",
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
stdout = Console(highlight=False, soft_wrap=True, emoji=False)

Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the result line (for CI).")]
QuickOption = Annotated[
    bool,
    typer.Option("--quick", help="Fewer draws (configs/quick.yaml): a fast look, not a decision."),
]
ProfileOption = Annotated[
    str | None, typer.Option("--profile", help="A profile in configs/, e.g. quick.")
]


def show_version(value: bool) -> None:
    """`relevance --version`: the version, then exit."""
    if value:
        from relevance import __version__

        say(f"relevance {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Does this email beat sending nothing? Bayesian reports for campaigns with a no-send holdout."""


class Progress:
    """Step messages on stderr with timings; silent with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()

    def step(self, message: str) -> None:
        """Print one step with the seconds since the start (messages are never markup)."""
        if not self.quiet:
            err.print(f"[dim]{time.perf_counter() - self.started:6.1f}s[/dim] {escape(message)}")


INTERRUPTED = "interrupted: nothing was replaced (the last good report, if any, is kept)"
_said: list[str] = []  # what was printed on the way out, so main() does not repeat it


def interrupted(error: BaseException) -> bool:
    """Ctrl-C, however it surfaced (DuckDB turns it into an error of its own)."""
    return isinstance(error, KeyboardInterrupt) or (
        type(error).__name__ == "InterruptException" or str(error) == "Query interrupted"
    )


def fail(error: BaseException, debug: bool) -> None:
    """Print an error the way users should see it, then exit with its code."""
    if interrupted(error):
        err.print(INTERRUPTED)
        _said.append(INTERRUPTED)
        raise typer.Exit(130)
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
    progress = Progress(quiet)  # first: its clock includes the imports below
    # Each command imports what it needs when it runs, so `relevance --help` starts at once.
    from relevance.pipeline.notebooks import run_experiment
    from relevance.results import Results

    try:
        target, _ = run_experiment(
            experiment, out, profile or ("quick" if quick else None), seed, progress.step, notebook
        )
        results = Results.read(target / "results.json")
    except (Exception, KeyboardInterrupt) as error:  # no traceback unless --debug
        fail(error, debug)
        return
    progress.step(f"report written to {target / 'report.html'}")
    say(f"{results.experiment}: {results.campaign.headline}")
    if not quiet:
        for verdict in results.verdicts:
            say(f"  - {verdict.sentence}")


@app.command("plan")
def plan_command(
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
        float, typer.Option(help="Value of one conversion (in --currency).")
    ] = 0.0,
    currency: Annotated[
        str, typer.Option(help="Symbol shown before money, e.g. '€' or '£'.")
    ] = "$",
    target_assurance: Annotated[
        float, typer.Option(help="Wanted chance of a clear verdict.")
    ] = 0.8,
    seed: Annotated[int, typer.Option(help="Random seed.")] = DEFAULT_SEED,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the plan report (OUT/plan/).")
    ] = Path("reports"),
    name: Annotated[str, typer.Option(help="Name of the plan's folder.")] = "plan",
    quiet: Quiet = False,
    debug: Debug = False,
) -> None:
    """How big a no-send holdout to keep: chance of a clear verdict and cost, per share."""
    from relevance.io.outputs import inside
    from relevance.pipeline.notebooks import notebook_path, run_notebook
    from relevance.planning.plan import Plan

    progress = Progress(quiet)
    try:
        inputs = plan_inputs(
            baseline_rate=baseline_rate,
            expected_uplift=expected_uplift,
            rope=rope,
            recipients=recipients,
            shares=shares,
            value_per_conversion=value_per_conversion,
            currency=currency,
            target_assurance=target_assurance,
            seed=seed,
        )
        target = inside(out, name)
        progress.step("inputs are valid; running the planning notebook")
        parameters = inputs.model_dump(
            mode="json", exclude={"posterior_draws", "probability", "simulations"}
        )
        run_notebook(
            notebook_path("holdout_planning"),
            target,
            parameters,
            "plan.html",
            f"holdout plan: {name}",
            step=progress.step,
        )
        result = Plan.model_validate_json((target / "plan.json").read_text(encoding="utf-8"))
    except (Exception, KeyboardInterrupt) as error:
        fail(error, debug)
        return
    progress.step(f"plan written to {target / 'plan.html'}")
    say(result.sentence)


def plan_inputs(shares: str, **values: object) -> PlanInputs:
    """Validated planning inputs from the command's options; errors name the option."""
    from pydantic import ValidationError

    from relevance.planning.plan import PlanInputs

    try:
        share_list = [float(x) for x in shares.split(",") if x.strip()]
    except ValueError:
        raise InputError(
            None,
            "--shares",
            f"not a comma-separated list of numbers: {shares!r}",
            "e.g. --shares 0.05,0.1,0.2",
        ) from None
    try:
        return PlanInputs(holdout_shares=share_list, **values)
    except ValidationError as error:
        first = error.errors()[0]
        option = str(first["loc"][0]) if first["loc"] else "shares"
        raise InputError(
            None,
            f"--{option.replace('holdout_', '').replace('_', '-')}",
            first["msg"],
            "see `relevance plan --help`",
        ) from None


@app.command()
def validate(
    experiment: Annotated[Path, typer.Argument(help="Experiment YAML to check.")],
    debug: Debug = False,
) -> None:
    """Check an experiment's config and data in seconds, without fitting any model."""
    from relevance.checks.suite import stop_on_errors
    from relevance.config import load_experiment
    from relevance.pipeline.checking import check_data
    from relevance.results import Severity

    notes = []  # warnings and notes: shown after the errors, or on success
    try:
        loaded = load_experiment(experiment)
        cells, findings = check_data(loaded)
        notes = [f for f in findings if f.severity is not Severity.ERROR]
        stop_on_errors(loaded, findings)
    except (Exception, KeyboardInterrupt) as error:
        try:
            fail(error, debug)
        finally:
            for note in notes:
                say(f"[{note.severity.value}] {note.message}")
        return
    for note in notes:
        say(f"[{note.severity.value}] {note.message}")
    say(
        f"{loaded.name}: config and data are valid ({cells.recipients:,} recipients, "
        f"{cells.count} cells)."
    )


@app.command()
def simulate(
    out_file: Annotated[Path, typer.Argument(help="Parquet file to write.")],
    preset: Annotated[
        str,
        typer.Option(
            help="demo, null, a_beats_b_neither_beats, fatigue, always_on, always_on_constant "
            "or survey_nonresponse."
        ),
    ] = "demo",
    recipients: Annotated[int, typer.Option(min=100, help="Number of recipients.")] = 200_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    debug: Debug = False,
) -> None:
    """Write a synthetic campaign with known truth (one row per recipient) to Parquet."""
    from relevance.io import simulate as simulator

    try:
        try:
            spec = simulator.preset(preset, recipients=recipients, seed=seed)
        except ValueError as error:
            raise InputError(
                None, "--preset", str(error), "choose one of the listed presets"
            ) from None
        started = time.perf_counter()
        simulator.write_parquet(spec, out_file)
    except (Exception, KeyboardInterrupt) as error:
        fail(error, debug)
        return
    say(
        f"wrote {recipients:,} recipients ({preset}, seed {seed}) to {out_file} in "
        f"{time.perf_counter() - started:.1f}s"
    )


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Folder of the campaigns repository.")] = Path("."),
    debug: Debug = False,
) -> None:
    """Start a campaigns repository: experiments, configs to edit, .gitignore, CI workflow.

    Never overwrites a file that exists.
    """
    from relevance.project import ignores_reports, init_project

    try:
        done = init_project(folder)
    except (Exception, KeyboardInterrupt) as error:
        fail(error, debug)
        return
    for path in done.written:
        say(f"wrote {path}")
    for path in done.kept:
        say(f"kept  {path} (it exists; nothing was changed)")
    if not ignores_reports(folder):
        say("note: add `reports/` to .gitignore: reports are built, not committed")
    say(
        f"next: relevance run {folder / 'experiments' / 'demo.yaml'} --quick "
        "(then open reports/demo/report.html)"
    )


@app.command()
def render(
    notebook: Annotated[Path, typer.Argument(help="A notebook executed with papermill.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="HTML file to write (default: beside it).")
    ] = None,
    debug: Debug = False,
) -> None:
    """Turn an executed report notebook into the same self-contained HTML page as `run`."""
    from relevance.report.html import render_executed

    try:
        page = render_executed(notebook, out)
    except (Exception, KeyboardInterrupt) as error:
        fail(error, debug)
        return
    say(f"wrote {page}")


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
    from relevance.batch.run import run_batch

    progress = Progress(quiet)
    try:
        batch = run_batch(
            folder, out, profile or ("quick" if quick else None), jobs, force, progress.step
        )
    except (Exception, KeyboardInterrupt) as error:
        fail(error, debug)
        return
    if debug:
        for outcome in batch.failed:
            if outcome.debug:
                err.print(outcome.debug, markup=False)
    # CI logs are not terminals: give the table room instead of rich's 80 columns.
    wide = stdout if stdout.is_terminal else Console(highlight=False, width=160, emoji=False)
    wide.print(summary_table(batch))
    raise typer.Exit(1 if batch.failed else 0)


def summary_table(batch: Batch) -> Table:
    """A rich table: experiment, verdict, time, status (with the first line of any error)."""
    count = len(batch.outcomes)
    table = Table(
        title=f"relevance run-all: {count} experiment{'s' if count != 1 else ''}",
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("experiment", overflow="fold")
    table.add_column("verdict", overflow="fold")
    table.add_column("time", justify="right")
    table.add_column("status", overflow="fold")
    styles = {"ok": "green", "skipped": "cyan", "failed": "red"}
    rows = [*batch.outcomes, *([batch.portfolio] if batch.portfolio else [])]
    for o in rows:
        verdict = o.verdict or "–"
        if o.send:
            verdict = f"{verdict}: send {o.send}"
        style = styles[o.status]
        table.add_row(
            escape(o.name),
            escape(verdict),
            f"{o.seconds:.0f}s",
            f"[{style}]{escape(o.status_text)}[/{style}]",
        )
    table.caption = escape(
        f"{len(batch.failed)} failed · {batch.seconds:.0f}s with {batch.jobs} job(s) · "
        f"index: {batch.out / 'index.html'} · what changed: {batch.out / 'changes.md'}"
    )
    return table


def say(text: str) -> None:
    """Print a result line on stdout, literally (labels may contain rich markup)."""
    stdout.print(text, markup=False)


def main() -> None:
    """Entry point of the `relevance` console script."""
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    try:
        app()
    except KeyboardInterrupt:
        err.print(INTERRUPTED)
        leave(130)
    except SystemExit as done:  # typer turns a Ctrl-C outside a command's own handling into 130
        if done.code == 130 and not _said:
            err.print(INTERRUPTED)
        if done.code is None or isinstance(done.code, int):
            leave(done.code or 0)
        raise
    leave(0)


def leave(code: int) -> NoReturn:
    """End the process once the command is done, without Python's teardown of its modules.

    Every file has been written and every background write awaited when a command returns;
    what remains is freeing the statistics stack (Numba, LLVM, PyTensor's caches), 1-1.5 s
    of a report's wall time spent on nothing a user sees. The exit hooks still run and both
    streams are flushed.
    """
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`... | head`)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
