"""Where an experiment's rows come from: a file, a simulated campaign, or pre-aggregated cells.

Each source ends in the same place, a :class:`relevance.io.cells.Cells`, and a fingerprint of the
inputs so that batch runs can skip experiments whose data did not change.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
from pathlib import Path

from relevance.config import Experiment
from relevance.errors import DataError
from relevance.io import simulate
from relevance.io.cells import Cells
from relevance.io.files import aggregate_file, read_cells_file
from relevance.io.periods import day_cells


def cache_dir() -> Path:
    """Folder for generated data (simulated campaigns): $RELEVANCE_CACHE or ~/.cache/relevance."""
    base = os.environ.get("RELEVANCE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "relevance"
    )
    return Path(base)


def simulated_spec(experiment: Experiment) -> tuple[simulate.CampaignSpec, str]:
    """The spec of the experiment's simulated campaign and the name of its cached file.

    The spec's hash is in the name: a preset that changes (new columns) never reads a stale file.
    """
    source = experiment.data.simulate
    assert source is not None
    try:
        spec = simulate.preset(source.preset, recipients=source.recipients, seed=source.seed)
    except ValueError as exc:
        raise DataError(
            experiment.source, "data.simulate.preset", str(exc), "use a listed preset"
        ) from None
    version = hashlib.sha256(spec.to_json().encode()).hexdigest()[:8]
    return spec, f"simulated-{source.preset}-{source.recipients}-{source.seed}-{version}.parquet"


def simulated_path(experiment: Experiment) -> Path:
    """The Parquet file of the experiment's simulated campaign, generated on first use."""
    spec, name = simulated_spec(experiment)
    path = cache_dir() / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        simulate.write_parquet(spec, path)
    return path


def rows_path(experiment: Experiment) -> Path | None:
    """The file of one row per recipient, if the experiment has one (simulated or given)."""
    if experiment.data.simulate is not None:
        return simulated_path(experiment)
    if experiment.data.path is not None:
        path = experiment.resolve(experiment.data.path)
        if not path.exists():
            siblings = [p.name for p in path.parent.iterdir()] if path.parent.is_dir() else []
            close = difflib.get_close_matches(path.name, siblings, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise DataError(
                experiment.source,
                "data.path",
                f"data file {path} does not exist{hint}",
                "check the path; relative paths are read from the experiment file's folder",
            )
        return path
    return None


def load_cells(experiment: Experiment) -> Cells:
    """Aggregate the experiment's data into cells (DuckDB; rows never enter pandas)."""
    path = rows_path(experiment)
    if path is not None:
        cells = Cells.for_experiment(
            experiment, *aggregate_file(experiment, path, experiment.data.format)
        )
        if experiment.data.date is not None:  # always-on: the same cells per send day
            cells = dataclasses.replace(cells, by_day=day_cells(experiment, path, cells.caps))
        return cells
    if experiment.data.cells is not None:
        cells_path = experiment.resolve(experiment.data.cells)
        if not cells_path.exists():
            raise DataError(
                experiment.source, "data.cells", f"{cells_path} does not exist", "check the path"
            )
        return Cells.for_experiment(experiment, read_cells_file(experiment, cells_path))
    if experiment.data.sql is not None:  # aggregated inside the database
        from relevance.io.warehouse import load_sql_cells  # SQL parsing loads only for SQL

        return Cells.for_experiment(experiment, *load_sql_cells(experiment))
    raise DataError(experiment.source, "data", "no readable data source", "set data.path")


def file_digest(path: Path) -> str:
    """BLAKE2 of a file's bytes, streamed in 4 MiB blocks ("missing" when absent)."""
    if not path.is_file():
        return f"missing:{path.name}"
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as stream:
        while block := stream.read(4 << 20):
            digest.update(block)
    return digest.hexdigest()


def data_fingerprint(experiment: Experiment) -> str:
    """Hash of the data itself: the file's bytes, the simulation spec, or a database scan.

    Content, not modification time, so a fresh checkout of unchanged data keeps its
    fingerprint (batch runs skip it) and an edit of a single value changes it.
    """
    digest = hashlib.sha256()
    if experiment.data.simulate is not None:
        digest.update(experiment.data.simulate.model_dump_json().encode())
        digest.update(simulated_spec(experiment)[1].encode())  # the generating spec's hash
    for path in (experiment.data.path, experiment.data.cells):
        if path is not None:
            digest.update(file_digest(experiment.resolve(path)).encode())
    if experiment.data.sql is not None:  # url without secrets, query, a cheap scan
        from relevance.io.warehouse import sql_fingerprint

        digest.update(sql_fingerprint(experiment).encode())
    return digest.hexdigest()[:16]
