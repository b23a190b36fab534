"""Convergence: r_hat, bulk and tail ESS and divergences against the configured thresholds.

Shared by the campaign model and the portfolio meta-analysis.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr

from relevance.config import DiagnosticsConfig, SamplerConfig
from relevance.model.design import Design
from relevance.model.means import cell_means
from relevance.model.quick_import import without_stack_walks

with without_stack_walks():  # ArviZ's import walks the call stack: a second per report
    import arviz as az


@dataclass(frozen=True)
class Diagnostics:
    """Convergence of the sampled parameters, against the thresholds in configs/."""

    max_r_hat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int
    draws: int
    chains: int
    thresholds: DiagnosticsConfig
    worst_parameter: str
    target_accept: float = 0.95

    @property
    def reliable(self) -> bool:
        """True when r_hat, ESS and divergences are all within their thresholds."""
        return not self.problems

    @property
    def problems(self) -> list[str]:
        """One plain sentence per threshold that is not met."""
        found = []
        if self.chains > 1 and not self.max_r_hat <= self.thresholds.max_r_hat:
            found.append(
                f"chains disagree (r_hat {self.max_r_hat:.3f} > {self.thresholds.max_r_hat} "
                f"for {self.worst_parameter})"
            )
        if not min(self.min_ess_bulk, self.min_ess_tail) >= self.thresholds.min_ess:
            found.append(
                f"too few effective draws (ESS "
                f"{math.floor(min(self.min_ess_bulk, self.min_ess_tail))} "
                f"< {self.thresholds.min_ess:g})"
            )
        if self.divergences > self.thresholds.max_divergences:
            found.append(f"{self.divergences} divergent transitions")
        return found


def reported_quantities(posterior: xr.DataTree, d: Design) -> xr.Dataset:
    """The quantities the report states, with their chains: every arm x cell expected outcome.

    Convergence is judged on these (every uplift, segment and overall, is a weighted sum of
    them) and on the arms' own levels, rather than on weakly identified hyper-parameters such
    as segment scales, whose slow mixing does not bias the reported numbers when these converge.
    Metrics the data cannot measure (no events in the holdout: their numbers are never shown)
    are left out: what they sample is the prior, whose mixing says nothing about the report.
    """
    dataset = posterior.posterior.to_dataset()
    chains, draws = dataset.sizes["chain"], dataset.sizes["draw"]
    flat = {
        str(name): np.asarray(values.values).reshape(chains * draws, -1)
        for name, values in dataset.data_vars.items()
    }
    measured = _measured(d)
    quantities = {
        metric: xr.DataArray(
            values.reshape(chains, draws, -1), dims=("chain", "draw", f"{metric}_cell")
        )
        for metric, values in cell_means(d, flat).items()
        if metric in measured
    }
    labels = quantity_labels(d)
    for name in ("rate_holdout", "rate_versions", "amount_holdout", "amount_versions"):
        if name in dataset:
            keep = [i for i, label in enumerate(labels[name]) if label.split(":")[0] in measured]
            values = flat[name].reshape(chains, draws, -1)[:, :, keep]
            quantities[name] = xr.DataArray(values, dims=("chain", "draw", f"{name}_dim"))
    return xr.Dataset({k: v for k, v in quantities.items() if v.size})


def _measured(d: Design) -> set[str]:
    """Names of the design's metrics that the data can measure (all, when none can: then no
    number is shown, and convergence is judged on everything as before)."""
    measured = {m.name for m in d.metrics if d.layout.measurable(m.name)}
    return measured or {m.name for m in d.metrics}


def quantity_labels(d: Design) -> dict[str, tuple[str, ...]]:
    """Readable names for each element of the reported quantities (all metrics)."""
    lay = d.layout
    cells = [f"{arm} / {cell}" for arm in lay.arms for cell in lay.cell_labels()]
    rate_metrics = [b.metric for b in d.blocks if b.part == "rate"]
    amount_metrics = [b.metric for b in d.blocks if b.part == "amount"]
    labels: dict[str, tuple[str, ...]] = {
        m.name: tuple(f"{m.name}: {c}" for c in cells) for m in d.metrics
    }
    labels["rate_holdout"] = tuple(f"{m}: holdout level" for m in rate_metrics)
    labels["rate_versions"] = tuple(
        f"{m}: level of {v}" for m in rate_metrics for v in lay.versions
    )
    labels["amount_holdout"] = tuple(f"{m}: holdout amount" for m in amount_metrics)
    labels["amount_versions"] = tuple(
        f"{m}: amount of {v}" for m in amount_metrics for v in lay.versions
    )
    return labels


def measured_labels(d: Design) -> dict[str, tuple[str, ...]]:
    """`quantity_labels` of the metrics the data can measure, as `reported_quantities` keeps them."""
    measured = _measured(d)
    return {
        name: tuple(label for label in labels if label.split(":")[0] in measured)
        for name, labels in quantity_labels(d).items()
    }


def diagnose(
    posterior: xr.DataTree, d: Design, sampler: SamplerConfig, thresholds: DiagnosticsConfig
) -> Diagnostics:
    """Convergence of a campaign fit, judged on the quantities its report states."""
    return convergence(
        reported_quantities(posterior, d),
        measured_labels(d),
        divergence_count(posterior),
        sampler,
        thresholds,
    )


def divergence_count(posterior: xr.DataTree) -> int:
    """Divergent transitions over every chain."""
    return int(np.asarray(posterior.sample_stats["diverging"]).sum())


def convergence(
    quantities: xr.Dataset,
    labels: dict[str, tuple[str, ...]],
    divergences: int,
    sampler: SamplerConfig,
    thresholds: DiagnosticsConfig,
) -> Diagnostics:
    """r_hat, bulk and tail ESS of `quantities` (chain, draw, ...), named by `labels`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r_hat = az.rhat(quantities)
        ess_bulk = az.ess(quantities, method="bulk")
        ess_tail = az.ess(quantities, method="tail")
    worst_name, worst = "", 1.0
    for name in quantities.data_vars:
        values = np.atleast_1d(np.asarray(r_hat[name])).ravel()
        if values.size and np.nanmax(values) > worst:
            worst = float(np.nanmax(values))
            position = int(np.nanargmax(values))
            names = labels.get(str(name), ())
            worst_name = names[position] if position < len(names) else f"{name}[{position}]"
    return Diagnostics(
        max_r_hat=worst if sampler.chains > 1 else float("nan"),
        min_ess_bulk=min(float(np.nanmin(np.asarray(ess_bulk[n]))) for n in quantities.data_vars),
        min_ess_tail=min(float(np.nanmin(np.asarray(ess_tail[n]))) for n in quantities.data_vars),
        divergences=divergences,
        draws=sampler.draws,
        chains=sampler.chains,
        thresholds=thresholds,
        worst_parameter=worst_name,
    )
