"""Configuration: every error names the file, the field and the fix; defaults merge in order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import DEFAULT_SECTIONS, write_experiment
from relevance.config import load_experiment
from relevance.errors import ChecksFailed, ConfigError, InputError
from relevance.pipeline.analysis import analyze
from relevance.resources import configs_folder

PACKAGED_CONFIGS = configs_folder()

PURCHASE = DEFAULT_SECTIONS["metrics"][0]


def config_error(path: Path, **kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_experiment(path, **kwargs)  # type: ignore[arg-type]
    error = caught.value
    assert isinstance(error, InputError)
    assert str(error) == error.render()
    return error


def test_default_experiment_is_valid(tmp_path: Path) -> None:
    experiment = load_experiment(write_experiment(tmp_path))
    assert experiment.arms.all == ["holdout", "A", "B"]
    assert experiment.primary.name == "purchase"
    assert experiment.source == (tmp_path / "experiment.yaml").resolve()
    assert experiment.resolve(Path("rows.parquet")) == (tmp_path / "rows.parquet").resolve()


def test_missing_holdout_names_file_field_and_fix(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, arms={"versions": ["A", "B"]})
    error = config_error(path)
    assert error.file == str(path)
    assert "experiment.yaml" in str(error)
    assert "`arms.holdout`" in error.problem
    assert "Field required" in error.problem
    assert error.fix.startswith("add the field")
    assert "Fix: add the field" in str(error)


def test_unknown_arm_in_data_suggests_the_configured_label(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "arm": ["holdout"] * 200 + ["A"] * 150 + ["a "] * 50 + ["B"] * 200,
            "purchased": np.tile([0, 1, 0, 0], 150),
        }
    )
    frame.to_csv(tmp_path / "rows.csv", index=False)
    path = write_experiment(tmp_path, data={"path": "rows.csv"})
    with pytest.raises(ChecksFailed) as caught:
        analyze(path)
    error = caught.value
    message = str(error)
    assert error.file is not None and Path(error.file).name == "rows.csv"
    assert "50 rows in arm 'a '" in message  # the label as it is in the data
    assert "Did you mean 'A'?" in message
    assert "add it to `arms`" in message
    assert "correct the label in the data" in message


def test_unknown_key_names_field_and_suggests_the_close_name(tmp_path: Path) -> None:
    metric = {**PURCHASE, "lable": "purchases"}
    path = write_experiment(tmp_path, metrics=[metric])
    error = config_error(path)
    message = str(error)
    assert str(path) in message
    assert "`metrics[0].lable`: unknown key" in message
    assert "did you mean `label`?" in message
    assert error.fix == "rename `lable` to `label`"


def test_misspelt_required_key_names_both_fields(tmp_path: Path) -> None:
    metric = {k: v for k, v in PURCHASE.items() if k != "rope"} | {"rop": 0.001}
    path = write_experiment(tmp_path, metrics=[metric])
    error = config_error(path)
    message = str(error)
    assert str(path) in message
    assert "`metrics[0].rop`: unknown key; did you mean `rope`?" in message
    assert "`metrics[0].rope`: Field required" in message


def test_misspelt_required_key_fix_says_rename(tmp_path: Path) -> None:
    metric = {k: v for k, v in PURCHASE.items() if k != "rope"} | {"rop": 0.001}
    error = config_error(write_experiment(tmp_path, metrics=[metric]))
    assert "rename" in error.fix


def test_wrong_metric_kind_lists_allowed_values(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, metrics=[{**PURCHASE, "kind": "count"}])
    error = config_error(path)
    assert str(path) in str(error)
    assert "`metrics[0].kind`" in error.problem
    assert "'binary' or 'revenue'" in error.problem
    assert "(got 'count')" in error.problem
    assert error.fix == "use one of the allowed values"


def test_allocation_must_sum_to_one(tmp_path: Path) -> None:
    arms = {
        "holdout": "holdout",
        "versions": ["A", "B"],
        "allocation": {"holdout": 0.2, "A": 0.4, "B": 0.3},
    }
    path = write_experiment(tmp_path, arms=arms)
    error = config_error(path)
    assert str(path) in str(error)
    assert "`arms`" in error.problem
    assert "allocation shares must sum to 1; they sum to 0.9" in error.problem
    assert error.fix == "correct the value as described"


def test_allocation_must_cover_every_arm(tmp_path: Path) -> None:
    arms = {"holdout": "holdout", "versions": ["A", "B"], "allocation": {"holdout": 0.5, "A": 0.5}}
    error = config_error(write_experiment(tmp_path, arms=arms))
    assert "allocation must give a share for each arm" in error.problem
    assert "'B'" in error.problem


def test_two_primary_metrics_are_rejected(tmp_path: Path) -> None:
    second = {**PURCHASE, "name": "visit", "column": "visited"}
    path = write_experiment(tmp_path, metrics=[PURCHASE, second])
    error = config_error(path)
    assert str(path) in str(error)
    assert "exactly one metric must have `primary: true`" in error.problem
    assert "['purchase', 'visit']" in error.problem


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    path = write_experiment(tmp_path)
    error = config_error(path, profile="turbo")
    assert error.file == str(PACKAGED_CONFIGS / "turbo.yaml")
    assert "unknown profile 'turbo'" in error.problem
    assert "quick" in error.fix
    assert "turbo.yaml" in str(error)


def test_profile_name_cannot_escape_the_configs_folder(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "defaults.yaml").write_text("sampler: {draws: 100}\n")
    (tmp_path / "evil.yaml").write_text("sampler: {draws: 50}\n")
    path = write_experiment(tmp_path / "experiments")
    error = config_error(path, profile="../evil")
    assert "unknown profile '../evil'" in error.problem


def test_defaults_then_experiment_then_profile_then_overrides(tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "defaults.yaml").write_text(
        yaml.safe_dump(
            {
                "sampler": {"draws": 111, "tune": 222, "chains": 3, "seed": 5},
                "priors": {"effect_sd": 2.0},
                "decision": {"probability": 0.9, "cost_per_send": 0.01},
            }
        )
    )
    (configs / "fast.yaml").write_text(yaml.safe_dump({"sampler": {"draws": 77}}))
    path = write_experiment(
        tmp_path / "experiments",
        sampler={"draws": 333, "tune": 444},
        decision={"cost_per_send": 0.02},
    )

    plain = load_experiment(path)
    assert plain.sampler.draws == 333  # the experiment overrides the defaults ...
    assert plain.sampler.tune == 444
    assert plain.sampler.chains == 3  # ... key by key: what it does not set comes from them
    assert plain.sampler.seed == 5
    assert plain.priors.effect_sd == 2.0
    assert plain.priors.intercept_sd == 3.0  # set nowhere: the model's own default
    assert plain.decision.probability == 0.9
    assert plain.decision.cost_per_send == 0.02

    profiled = load_experiment(path, profile="fast")
    assert profiled.sampler.draws == 77  # the profile overrides the experiment
    assert profiled.sampler.tune == 444

    overridden = load_experiment(path, profile="fast", overrides={"sampler": {"draws": 55}})
    assert overridden.sampler.draws == 55  # overrides win over everything
    assert overridden.sampler.tune == 444

    missing = config_error(path, profile="slow")  # the project's profiles and the packaged
    assert "unknown profile 'slow'" in missing.problem
    assert "fast" in missing.fix and "quick" in missing.fix
    packaged_quick = yaml.safe_load((PACKAGED_CONFIGS / "quick.yaml").read_text())
    assert (
        load_experiment(path, profile="quick").sampler.draws == packaged_quick["sampler"]["draws"]
    )
    assert [Path(f).name for f in plain.config_files] == [
        "defaults.yaml",
        "defaults.yaml",
        "experiment.yaml",
    ]  # packaged, project, experiment


def test_project_defaults_apply_without_a_local_configs_folder(tmp_path: Path) -> None:
    project = yaml.safe_load((PACKAGED_CONFIGS / "defaults.yaml").read_text())
    quick = yaml.safe_load((PACKAGED_CONFIGS / "quick.yaml").read_text())
    path = write_experiment(tmp_path, sampler=None)
    experiment = load_experiment(path)
    assert experiment.sampler.seed == project["sampler"]["seed"]
    assert experiment.sampler.draws == project["sampler"]["draws"]
    assert experiment.diagnostics.min_ess == project["diagnostics"]["min_ess"]
    assert load_experiment(path, profile="quick").sampler.draws == quick["sampler"]["draws"]


def test_typo_in_a_defaults_section_is_caught(tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "defaults.yaml").write_text("sampler: {draws: 100}\nprior: {effect_sd: 2}\n")
    path = write_experiment(tmp_path / "experiments")
    error = config_error(path)
    assert error.file == str(configs / "defaults.yaml")
    assert error.where == "`prior`"
    assert "did you mean `priors`?" in error.problem


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        "name: broken\n"
        "data:\n"
        "  path: rows.csv\n"
        "   arm: arm\n"  # line 4: indented deeper than its sibling
        "arms: {holdout: holdout, versions: [A]}\n",
        encoding="utf-8",
    )
    error = config_error(path)
    assert error.file == str(path)
    assert error.where is not None and error.where.startswith("line 4,")
    assert "broken.yaml: line 4, column" in str(error)
    assert "not valid YAML" in error.problem
    assert error.fix == "fix the YAML syntax at that place"


def test_missing_experiment_file(tmp_path: Path) -> None:
    error = config_error(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(error)
    assert error.problem == "file not found"
