"""A compiled model stored on disk: a later process loads it without PyMC and computes the
same log-density; anything missing or foreign is compiled again, never guessed."""

from __future__ import annotations

import functools
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from c_calls import call_logp
from designs import designed
from relevance.model.callbacks import Recipe
from relevance.model.stored import Stored, _load, compiled_model, store_key

TESTS = Path(__file__).resolve().parents[1]
SHAPE = (["m1", "rev"], ["s1"], ("holdout", "A", "B"))

LATER_PROCESS = """
import json, sys
import numpy as np
import pytest
from c_calls import call_logp
from designs import designed
from relevance.model.stored import compiled_once

d = designed(*json.loads(sys.argv[1]))
compiled, hit = compiled_once(d.signature(), lambda: None)  # a miss would fail to build
x = np.asarray(json.loads(sys.argv[2]))
code, value, gradient = call_logp(compiled, d.data(), x)
print(json.dumps({"pymc": "pymc" in sys.modules, "hit": hit, "code": code,
                  "value": value, "gradient": gradient.tolist()}))
"""


def test_a_later_process_loads_the_stored_model_without_pymc_and_the_same_log_density() -> None:
    d = designed(*SHAPE)
    compiled_model(d)  # compiled here (and stored), or stored by an earlier run of this code
    from relevance.model.build import build_model
    from relevance.model.stored import _COMPILED

    compiled = _COMPILED[d.signature()]
    x = np.random.default_rng(3).normal(scale=0.3, size=compiled.ndim(d.data()))
    code, value, gradient = call_logp(compiled, d.data(), x)
    model = build_model(d)
    assert code == 0
    assert np.isclose(value, float(model.compile_logp()(_point(model, x))), rtol=1e-10)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", LATER_PROCESS, json.dumps(SHAPE), json.dumps(x.tolist())],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    later = json.loads(done.stdout.strip().splitlines()[-1])
    assert later["hit"] and not later["pymc"]
    assert later["code"] == 0
    assert later["value"] == value  # the same machine code: bit for bit
    assert later["gradient"] == gradient.tolist()


def _point(model: object, x: np.ndarray) -> dict[str, np.ndarray]:
    point, start = {}, 0
    initial = model.initial_point()  # type: ignore[attr-defined]
    for v in model.value_vars:  # type: ignore[attr-defined]
        shape = initial[v.name].shape
        size = int(np.prod(shape))
        point[v.name] = x[start : start + size].reshape(shape)
        start += size
    return point


def test_a_stored_entry_whose_numba_code_is_gone_is_a_miss(tmp_path: Path) -> None:
    source = "def logp_callback(dim, x_, gradient_, logp_, data_):\n    return inner(x_)\n"
    missing = Recipe(source, "logp_callback", "0" * 64)  # never cached by anyone
    stored = Stored((missing, missing), (), ("a",), ("n",), pickle.dumps(None), None)
    entry = tmp_path / "entry.pickle"
    entry.write_bytes(pickle.dumps(stored))
    assert _load(entry) is None
    damaged = Stored((missing, missing), (), ("a",), ("n",), b"not a pickle", None)
    entry.write_bytes(pickle.dumps(damaged))
    assert _load(entry) is None
    entry.write_bytes(b"not a pickle")
    assert _load(entry) is None
    entry.write_bytes(pickle.dumps({"foreign": 1}))
    assert _load(entry) is None
    assert _load(tmp_path / "absent.pickle") is None


def test_the_store_key_follows_the_key_and_the_code_that_builds_the_model(tmp_path: Path) -> None:
    module = tmp_path / "builder.py"

    def builder(text: str) -> object:
        module.write_text(text)
        namespace: dict = {}
        exec(compile(module.read_text(), str(module), "exec"), namespace)
        return namespace["build"]

    first = builder("def build():\n    return 1\n")
    key = store_key("k", first)
    assert store_key("k", first) == key
    assert store_key("other", first) != key
    assert store_key("k", builder("def build():\n    return 2\n")) != key


def test_a_model_compiling_in_a_helper_is_waited_for_not_compiled_twice() -> None:
    from relevance.model import stored
    from relevance.model.survey import compile_survey_kinds, survey_model_key

    key = survey_model_key("rating")
    stored._COMPILED.pop(key, None)
    stored.compile_elsewhere([key], compile_survey_kinds, "rating")
    helper = stored._PENDING[key]

    # A build of no source file (as the helper's is not): the same store key as the helper's.
    never = functools.partial(pytest.fail, "compiled here although the helper compiles it")
    compiled, hit = stored.compiled_once(key, never)
    assert hit and helper.returncode == 0 and key not in stored._PENDING
    assert compiled.names  # the survey model's parameters


def test_a_failed_helper_leaves_the_compile_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relevance.model import stored
    from relevance.model.survey import compile_survey_kinds, representative_data
    from relevance.model.survey_graph import build_survey_model

    monkeypatch.setattr(stored, "store_folder", lambda: tmp_path)
    key = "survey-for-a-test-only"
    stored.compile_elsewhere([key], compile_survey_kinds, "no-such-kind")  # fails at once
    compiled, hit = stored.compiled_once(
        key, lambda: build_survey_model("rating", representative_data())
    )
    assert not hit and compiled.names
    assert list(tmp_path.glob("*.pickle"))  # compiled here, and stored
    stored._COMPILED.pop(key)


def test_helpers_still_running_at_exit_are_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    from designs import sleep_for
    from relevance.model import stored

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), *sys.path]))
    stored.compile_elsewhere(["a-key-nobody-waits-for"], sleep_for, "60")
    helper = stored._PENDING["a-key-nobody-waits-for"]
    stored._stop_helpers()
    assert helper.wait(timeout=10) != 0 and not stored._PENDING


def test_a_hung_helper_is_stopped_and_the_model_compiled_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from designs import sleep_for
    from relevance.model import stored

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), *sys.path]))
    monkeypatch.setattr(stored, "HELPER_TIMEOUT_SECONDS", 0.5)
    stored.compile_elsewhere(["a-key-of-a-hung-helper"], sleep_for, "60")
    helper = stored._PENDING["a-key-of-a-hung-helper"]
    stored._wait_for_helper("a-key-of-a-hung-helper")
    assert helper.returncode is not None and "a-key-of-a-hung-helper" not in stored._PENDING


def test_nothing_is_stored_where_the_code_that_builds_models_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zipped or frozen install has no source files to hash: a model is compiled, never
    stored or loaded under a key that would not change with the code."""
    from relevance.model import stored

    monkeypatch.setattr(stored, "__file__", str(tmp_path / "stored.py"))
    assert stored.store_key("k", lambda: None) is None
    assert not stored.is_stored("k", lambda: None)
    assert not stored.can_store("k", lambda: None)
