"""The C callbacks nutpie samples with compute exactly what PyMC's own functions compute."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import nutpie
import pymc as pm
import pytest

from c_calls import call_logp
from relevance.model.callbacks import NONFINITE_LOGP, c_callback
from relevance.model.compile import compile_model

DEMO = Path(__file__).resolve().parents[2] / "experiments" / "demo.yaml"


def binomial_model(trials: np.ndarray, successes: np.ndarray) -> pm.Model:
    """A small model with data containers, a transformed scale and a vector parameter."""
    with pm.Model() as model:
        n = pm.Data("trials", trials)
        y = pm.Data("successes", successes)
        scale = pm.HalfNormal("scale", 1.0)
        level = pm.Normal("level", 0.0, 2.0, shape=len(trials))
        pm.Binomial("y", n=n, logit_p=level * scale, observed=y)
    return model


def reference(model: pm.Model, x: np.ndarray) -> tuple[float, np.ndarray]:
    """PyMC's own log-density and gradient at the flat point x (scale_log__ first)."""
    point = {"scale_log__": x[0], "level": x[1:]}
    return float(model.compile_logp()(point)), np.asarray(model.compile_dlogp()(point))


def test_callback_matches_pymc_for_new_data_of_the_same_shape() -> None:
    model = binomial_model(np.array([100, 200, 300]), np.array([10, 30, 20]))
    compiled = compile_model(model)
    rng = np.random.default_rng(5)
    for trials, successes in (([100, 200, 300], [10, 30, 20]), ([50, 60, 70], [1, 59, 35])):
        data = {"trials": np.array(trials), "successes": np.array(successes)}
        with model:
            pm.set_data(data)
        x = rng.normal(size=compiled.ndim(data))
        code, value, gradient = call_logp(compiled, data, x)
        expected_value, expected_gradient = reference(model, x)
        assert code == 0
        assert value == pytest.approx(expected_value, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-10, atol=1e-12)


def test_impossible_data_is_a_rejected_point_not_a_crash() -> None:
    model = binomial_model(np.array([10, 10]), np.array([1, 2]))
    compiled = compile_model(model)
    data = {"trials": np.array([10, 10]), "successes": np.array([11, 2])}  # 11 of 10
    code, value, _ = call_logp(compiled, data, np.zeros(compiled.ndim(data)))
    assert code == NONFINITE_LOGP
    assert value == -np.inf


def test_data_of_another_shape_is_refused_by_a_model_with_sizes_in_its_graph() -> None:
    """`shape=len(trials)` writes the size into the graph: other sizes are refused (a model
    that takes its sizes from its data accepts any, see test_compile_once_for_every_size)."""
    compiled = compile_model(binomial_model(np.array([10, 10]), np.array([1, 2])))
    with pytest.raises(ValueError, match="the compiled model expects"):
        compiled.nutpie_model({"trials": np.array([1, 2, 3]), "successes": np.array([0, 0, 0])})
    with pytest.raises(ValueError, match="is float64 with 1 dimension"):  # 2.5 trials: truncated
        compiled.nutpie_model({"trials": np.array([10, 2.5]), "successes": np.array([1, 2])})


def test_cache_keys_differ_for_different_graphs() -> None:
    """Two models of the same shapes but different likelihoods never share a cached wrapper."""
    first = compile_model(binomial_model(np.array([10, 10]), np.array([1, 2])))
    with pm.Model() as other:
        n = pm.Data("trials", np.array([10, 10]))
        y = pm.Data("successes", np.array([1, 2]))
        scale = pm.HalfNormal("scale", 1.0)
        level = pm.Normal("level", 0.0, 2.0, shape=2)
        pm.Binomial("y", n=n, p=pm.math.invprobit(level * scale), observed=y)
    second = compile_model(other)
    data = {"trials": np.array([10, 10]), "successes": np.array([1, 2])}
    x = np.array([0.3, -0.2, 0.4])
    _, first_value, _ = call_logp(first, data, x)
    _, second_value, _ = call_logp(second, data, x)
    assert first_value == pytest.approx(reference(binomial_model(*data.values()), x)[0])
    assert second_value != pytest.approx(first_value)


def test_uncacheable_functions_still_compile() -> None:
    """A function PyTensor could not key gets an uncached wrapper, not a wrong shared one."""
    import numba

    @numba.njit
    def inner(x: np.ndarray) -> tuple[float, np.ndarray]:
        return -0.5 * (x * x).sum(), -x

    source = "\n".join(
        [
            "def plain_callback(dim, x_, gradient_, logp_, data_):",
            "    x = numba.carray(x_, (2,))",
            "    gradient = numba.carray(gradient_, (2,))",
            "    logp = numba.carray(logp_, ())",
            "    value, grad = inner(x)",
            "    logp[()] = value",
            "    gradient[...] = grad",
            "    return 0",
        ]
    )
    from relevance.model.callbacks import LOGP_SIGNATURE

    callback, _ = c_callback(inner, source, "plain_callback", LOGP_SIGNATURE)
    x, gradient, value = np.array([1.0, 2.0]), np.zeros(2), np.zeros(1)
    pointer = ctypes.POINTER(ctypes.c_double)
    code = callback.ctypes(
        2,
        x.ctypes.data_as(pointer),
        gradient.ctypes.data_as(pointer),
        value.ctypes.data_as(pointer),
        None,
    )
    assert code == 0
    assert value[0] == pytest.approx(-2.5)
    np.testing.assert_allclose(gradient, [-1.0, -2.0])


DRAWS_SCRIPT = """
import hashlib, sys, numpy as np
from relevance.config import load_experiment
from relevance.model.design import design
from relevance.model.fit import fit
from relevance.model.layout import layout
from relevance.pipeline.checking import check_data
experiment = load_experiment(sys.argv[1], overrides={"sampler": {"draws": 200, "tune": 200}})
cells, _ = check_data(experiment)
lay = layout(cells, ordered=(experiment.fatigue.column,))
result = fit(design(lay, tuple(experiment.metrics), experiment.priors), experiment.sampler, experiment.diagnostics)
values = np.concatenate([np.ravel(v) for v in result.parameter_draws().values()])
print(hashlib.sha256(values.tobytes()).hexdigest())
"""


@pytest.mark.slow
def test_same_draws_from_a_cold_and_a_warm_compile_cache(tmp_path: Path) -> None:
    """Without fast-math, the demo's model compiled now and loaded from the cache give
    identical draws for the same seed (with it, the draws differed: LLVM reassociated sums
    differently in code compiled together and code linked from the cache)."""
    env = {**os.environ, "PYTENSOR_FLAGS": f"base_compiledir={tmp_path / 'cache'}"}
    hashes = []
    for _ in range(2):  # the first compiles into the empty cache, the second loads from it
        run = subprocess.run(
            [sys.executable, "-c", DRAWS_SCRIPT, str(DEMO)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        hashes.append(run.stdout.strip().splitlines()[-1])
    assert hashes[0] == hashes[1]


def test_scalar_data_and_shape_changing_transforms() -> None:
    """A 0-d data container stays 0-d; a simplex (3 values from 2 unconstrained ones) expands
    to its constrained 3 values, not to a truncated or zero-filled vector."""
    with pm.Model() as model:
        total = pm.Data("total", np.array(60))
        counts = pm.Data("counts", np.array([10, 20, 30]))
        weights = pm.Dirichlet("weights", a=np.ones(3))
        pm.Multinomial("y", n=total, p=weights, observed=counts)
    compiled = compile_model(model)
    data = {"total": np.array(60), "counts": np.array([10, 20, 30])}
    code, value, gradient = call_logp(compiled, data, np.array([0.2, -0.1]))
    point = {"weights_simplex__": np.array([0.2, -0.1])}
    assert code == 0
    assert value == pytest.approx(float(model.compile_logp()(point)), rel=1e-12)
    np.testing.assert_allclose(gradient, model.compile_dlogp()(point), rtol=1e-10)
    trace = nutpie.sample(
        compiled.nutpie_model(data), draws=200, tune=200, chains=1, seed=3, progress_bar=False
    )
    weights_draws = np.asarray(trace.posterior["weights"])
    assert weights_draws.shape == (1, 200, 3)
    np.testing.assert_allclose(weights_draws.sum(axis=-1), 1.0, rtol=1e-12)
    assert abs(weights_draws[..., 2].mean() - 31 / 63) < 0.05  # Dirichlet(11, 21, 31) mean


def test_values_that_do_not_fit_the_compiled_dtype_are_refused() -> None:
    compiled = compile_model(binomial_model(np.array([10, 10]), np.array([1, 2])))
    with pytest.raises(ValueError, match="without changing its values"):
        compiled.nutpie_model({"trials": np.array([2**32 + 10, 10]), "successes": np.array([1, 2])})


def test_unnamed_data_containers_are_refused() -> None:
    import pytensor

    with pm.Model() as model:
        first = pytensor.shared(np.array([1.0, 2.0]))
        second = pytensor.shared(np.array([3.0, 4.0]))
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu + first, 1, observed=second)
    with pytest.raises(ValueError, match="its own name"):
        compile_model(model)
