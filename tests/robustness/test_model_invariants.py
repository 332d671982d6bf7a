"""Model files whose types are all allowed but whose fitted arrays are not what `fit` makes (issue 27,
item 3). A forest whose tree has a child or feature index far outside its arrays, registered with
its true SHA-256, killed `ssemo predict` with SIGSEGV: scikit-learn's tree code follows the indices
without bounds checks, and Tree.__setstate__ checks only the node dtype and the value shape. Each
case below crafts a file of one model kind ssemo saves (the forests of σ and Ea, the hurdle
classifier, the composition-only fallback, the quantile forest's training leaves, gradient
boosting, the Gaussian process, scalers, nearest neighbours, calibration scores) with one invariant
broken, and expects one refusal line naming where and why; the real models still load."""

from __future__ import annotations

import copy
import os
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio

from surrogates.model import ConductivitySurrogate
from surrogates.persistence import ModelRefusedError, load_model, sha256_bytes
from tests.robustness.conftest import CONFIGS, MODEL_NAME, REPO, model_file, register
from tests.surrogates.test_model import synthetic_series

SOURCE = "model m (version 9)"


def training_table() -> tuple[pd.DataFrame, np.ndarray]:
    """Small, with every part a surrogate can hold: Arrhenius series (an Ea model), censored rows
    (the hurdle classifier), rows with and without structure (the composition-only fallback), a
    composition measured at one temperature (its reports, model version 7)."""
    one = pd.DataFrame({"composition": ["Li3N"], "temperature_k": [298.15], "log10_sigma": [-3.4]})
    data = pd.concat([synthetic_series(4), one], ignore_index=True)
    data = data.assign(family="x", process="RF magnetron sputtering", thickness_um=1.0)
    y = data["log10_sigma"].to_numpy().copy()
    data["censored"] = np.arange(len(data)) < 8
    y[:8] = -15.0
    data["space_group_number"] = np.where(np.arange(len(data)) % 2, 225.0, np.nan)
    return data, y


def fitted(model: str, params: dict, ea_model: str = "forest") -> ConductivitySurrogate:
    data, y = training_table()
    return ConductivitySurrogate(
        model=model,
        model_params=params,
        ea_model=ea_model,
        ea_params={"n_estimators": 3} if ea_model == "forest" else {"max_iter": 5},
        descriptors="fractions",
        context=True,
        min_ea_groups=2,
        random_state=0,
    ).fit(data, y)


@pytest.fixture(scope="module")
def models() -> dict[str, ConductivitySurrogate]:
    models = {
        "forest": fitted("forest", {"n_estimators": 3}),
        "median": fitted("forest", {"n_estimators": 3, "aggregate": "median", "kind": "random"}),
        "gbm": fitted("gbm", {"max_iter": 5}),
        "gp": fitted("gp", {}, ea_model="gbm"),
    }
    forest = models["forest"]
    assert forest.censoring_classifier_ is not None and forest.composition_estimator_ is not None
    assert forest.censoring_calibration_ is not None
    assert forest.ea_estimator_ is not None
    models["binned"] = with_binned_calibration(forest)
    return models


def with_binned_calibration(model) -> ConductivitySurrogate:
    """`model` with P(below detection) calibrated per distance bin (model version 4), as a model
    trained on more censored rows than training_table's eight holds: two bins."""
    from surrogates.estimators import _distance_model

    binned = copy_of(model)
    F = binned.featurizer_.transform(training_table()[0])
    binned.censoring_calibration_ = np.array([[1.2, 0.3], [0.4, -1.0]])
    binned.censoring_distance_model_ = (np.array([0.5]), *_distance_model(F), 3)
    return binned


def copy_of(model):
    """An independent copy (a skops round trip, as a file would give)."""
    data = sio.dumps(model)
    return sio.loads(data, trusted=sio.get_untrusted_types(data=data))


def refusal(data: bytes, tmp_path: Path) -> str:
    """The one-line refusal of `data` stored as a model with its true SHA-256."""
    path = tmp_path / "model.skops"
    path.write_bytes(data)
    with pytest.raises(ModelRefusedError) as err:
        load_model(path, sha256_bytes(data), SOURCE)
    message = str(err.value)
    assert message.startswith(f"{SOURCE}: refused") and "\n" not in message, message
    return message


def crafted(model, edit: Callable) -> bytes:
    """`model`'s file with `edit` applied to a copy (what an attacker who writes the file makes)."""
    victim = copy_of(model)
    edit(victim)
    return sio.dumps(victim)


# --- sklearn trees --------------------------------------------------------------------------------

TREE_OWNERS = {
    "sigma_forest": lambda m: m.sigma_estimator_.core_.estimators_[0],
    "ea_forest": lambda m: m.ea_estimator_.core_.estimators_[1],
    "hurdle_classifier": lambda m: m.censoring_classifier_.estimators_[2],
    "composition_fallback": lambda m: m.composition_estimator_.core_.estimators_[0],
}


def edit_nodes(est, change: Callable[[np.ndarray, np.ndarray], None]) -> None:
    """Apply change(nodes, values) to a copy of est.tree_'s arrays and put them back the way
    loading does (Tree.__setstate__)."""
    state = est.tree_.__getstate__()
    state["nodes"], state["values"] = state["nodes"].copy(), state["values"].copy()
    change(state["nodes"], state["values"])
    est.tree_.__setstate__(state)


def first_leaf(nodes) -> int:
    return int(np.flatnonzero(nodes["left_child"] == -1)[0])


def deep_split(nodes) -> int:
    """A split node whose left child is a split node too (for the unreachable-node case)."""
    left = nodes["left_child"]
    return next(i for i in range(len(left)) if left[i] != -1 and left[left[i]] != -1)


def _set(field: str, value, node=lambda nodes: 0):
    def change(nodes, values):
        nodes[field][node(nodes)] = value

    return change


def _skip_a_level(nodes, values):
    i = deep_split(nodes)
    nodes["left_child"][i] = nodes["left_child"][nodes["left_child"][i]]


def _share_a_child(nodes, values):
    nodes["right_child"][0] = nodes["left_child"][0]


def _cycle_to_root(nodes, values):
    i = int(nodes["left_child"][0])  # a split node below the root, pointed back at it
    i = i if nodes["left_child"][i] != -1 else int(nodes["right_child"][0])
    nodes["right_child"][i] = 0


def _nan_leaf_value(nodes, values):
    values[first_leaf(nodes)] = np.nan


TREE_CASES = {
    "child_out_of_range": (_set("left_child", 10**9), "left child 1000000000 is outside (0,"),
    "child_negative": (_set("right_child", -5), "right child -5 is outside (0,"),
    "cycle_to_root": (_cycle_to_root, "right child 0 is outside"),
    "shared_child": (_share_a_child, "is the child of 2 split nodes"),
    "unreachable_node": (_skip_a_level, "is the child of 0 split nodes"),
    "feature_out_of_range": (_set("feature", 10**9), "splits on feature 1000000000, outside [0,"),
    "feature_negative": (_set("feature", -2), "splits on feature -2, outside [0,"),
    "nan_threshold": (_set("threshold", np.nan), "has threshold nan, expected a finite number"),
    "inf_threshold": (_set("threshold", np.inf), "has threshold inf, expected a finite number"),
    "leaf_with_feature": (_set("feature", 0, first_leaf), "has right child -1 and feature 0"),
    "leaf_with_child": (_set("right_child", 1, first_leaf), "has right child 1"),
    "nan_leaf_value": (_nan_leaf_value, "a leaf value is not finite"),
}


# every case in the σ forest; the brief's core cases in every other tree ssemo saves
TREE_MATRIX = [("sigma_forest", case) for case in TREE_CASES] + [
    (owner, case)
    for owner in TREE_OWNERS
    if owner != "sigma_forest"
    for case in ("child_out_of_range", "feature_out_of_range", "cycle_to_root", "nan_threshold")
]


@pytest.mark.parametrize(("owner", "case"), TREE_MATRIX)
def test_a_broken_tree_is_refused_with_its_reason(models, tmp_path, owner, case):
    change, reason = TREE_CASES[case]
    data = crafted(models["forest"], lambda m: edit_nodes(TREE_OWNERS[owner](m), change))
    message = refusal(data, tmp_path)
    assert reason in message, message
    assert "tree_" in message


def test_the_tree_arrays_setstate_accepts_are_what_reach_the_c_code(models):
    """What Tree.__setstate__ itself refuses (so a file cannot carry it) and what it lets through
    (so ssemo must check it): the premise of every case above."""
    est = copy_of(models["forest"]).sigma_estimator_.core_.estimators_[0]
    state = est.tree_.__getstate__()
    for bad in (
        {"values": state["values"][:, :, :0]},  # value shape
        {"nodes": state["nodes"][:-1]},  # fewer nodes than node_count
        {"nodes": state["nodes"]["left_child"].copy()},  # not the node record dtype
    ):
        with pytest.raises((ValueError, AttributeError)):
            copy.copy(est.tree_).__setstate__({**state, **bad})
    nodes = state["nodes"].copy()
    nodes["left_child"][0], nodes["feature"][0] = 10**9, 10**9
    est.tree_.__setstate__({**state, "nodes": nodes})  # accepted: an index out of range
    assert est.tree_.children_left[0] == 10**9


def test_a_value_array_of_the_wrong_shape_in_the_file_is_refused(models, tmp_path):
    """The file edited directly: a tree's value array with another shape (setstate's own check
    refuses it while loading; still one line)."""
    data = sio.dumps(models["forest"])
    with zipfile.ZipFile(BytesIO(data)) as z:
        entries = {name: z.read(name) for name in z.namelist()}
    import json

    schema = json.loads(entries["schema.json"])

    def first_tree(node):
        if isinstance(node, dict):
            if node.get("__class__") == "Tree":
                return node
            for v in node.values():
                if (found := first_tree(v)) is not None:
                    return found
        if isinstance(node, list):
            for v in node:
                if (found := first_tree(v)) is not None:
                    return found
        return None

    tree = first_tree(schema)
    name = tree["content"]["content"]["values"]["file"]
    values = np.load(BytesIO(entries[name]))
    buffer = BytesIO()
    np.save(buffer, np.concatenate([values, values], axis=2))  # (n, 1, 2) for a regressor
    entries[name] = buffer.getvalue()
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for entry, content in entries.items():
            z.writestr(entry, content)
    message = refusal(out.getvalue(), tmp_path)
    assert "does not load" in message and "shape" in message, message


def test_a_tree_built_for_more_features_than_its_forest_is_refused(models, tmp_path):
    from sklearn.tree._tree import Tree

    def widen(m):
        est = m.sigma_estimator_.core_.estimators_[0]
        old = est.tree_
        wider = Tree(old.n_features + 5, np.asarray(old.n_classes), old.n_outputs)
        wider.__setstate__(old.__getstate__())
        est.tree_ = wider

    message = refusal(crafted(models["forest"], widen), tmp_path)
    width = models["forest"].sigma_estimator_.n_features_in_
    assert f"a tree for {width + 5}, expected {width}" in message, message


# --- the other model kinds ------------------------------------------------------------------------


def _predictor(m, i=0):
    return m.sigma_estimator_.core_[1]._predictors[i][0]


def _hgb_nodes(field: str, value, node=lambda nodes: 0):
    def edit(m):
        nodes = _predictor(m).nodes
        nodes[field][node(nodes)] = value

    return edit


def _hgb_leaf(nodes) -> int:
    return int(np.flatnonzero(nodes["is_leaf"] == 1)[0])


def _set_attr(get: Callable, name: str, value: Callable):
    def edit(m):
        owner = get(m)
        setattr(owner, name, value(getattr(owner, name)))

    return edit


def _nan_first(a):
    a = np.array(a, dtype=float, copy=True)
    a.flat[0] = np.nan
    return a


OTHER_CASES = {
    # gradient boosting (TreePredictor records)
    "gbm_child_out_of_range": ("gbm", _hgb_nodes("left", 10**9), "left child 1000000000"),
    "gbm_feature_out_of_range": ("gbm", _hgb_nodes("feature_idx", 10**9), "splits on feature"),
    "gbm_categorical_split": ("gbm", _hgb_nodes("is_categorical", 1), "categorical split"),
    "gbm_nan_threshold": ("gbm", _hgb_nodes("num_threshold", np.nan), "has threshold nan"),
    "gbm_nan_leaf": ("gbm", _hgb_nodes("value", np.nan, _hgb_leaf), "has value nan"),
    "gbm_categorical_mapper": (
        "gbm",
        _set_attr(
            lambda m: m.sigma_estimator_.core_[0]._bin_mapper, "is_categorical_", np.logical_not
        ),
        "ssemo fits no categorical feature",
    ),
    # Gaussian process
    "gp_nan_training_row": (
        "gp",
        _set_attr(lambda m: m.sigma_estimator_.core_[1], "X_train_", _nan_first),
        "X_train_: expected finite values",
    ),
    "gp_alpha_shape": (
        "gp",
        _set_attr(lambda m: m.sigma_estimator_.core_[1], "alpha_", lambda a: a[:-1]),
        "alpha_: shape",
    ),
    "gp_cholesky_shape": (
        "gp",
        _set_attr(lambda m: m.sigma_estimator_.core_[1], "L_", lambda a: a[:, :-1]),
        "L_: shape",
    ),
    "gp_kernel_nan": (
        "gp",
        _set_attr(lambda m: m.sigma_estimator_.core_[1].kernel_.k1.k2, "length_scale", _nan_first),
        "kernel_.theta: expected finite values",
    ),
    "gp_scaler_width": (
        "gp",
        _set_attr(lambda m: m.sigma_estimator_.core_[0], "n_features_in_", lambda n: n + 1),
        "core_[0].n_features_in_",
    ),
    # scalers and nearest neighbours (applicability domain, distance-binned calibration)
    "domain_scale_zero": (
        "forest",
        _set_attr(lambda m: m.domain_.scaler_, "scale_", lambda a: a * 0),
        "expected scales > 0",
    ),
    "domain_scaler_nan": (
        "forest",
        _set_attr(lambda m: m.domain_.scaler_, "mean_", _nan_first),
        "mean_: expected finite values",
    ),
    "domain_scaler_length": (
        "forest",
        _set_attr(lambda m: m.domain_.scaler_, "mean_", lambda a: a[:-1]),
        "mean_: length",
    ),
    "neighbours_training_width": (
        "forest",
        _set_attr(lambda m: m.domain_.nn_, "_fit_X", lambda a: a[:, :-1]),
        "_fit_X: shape",
    ),
    "neighbours_sample_count": (
        "forest",
        _set_attr(lambda m: m.domain_.nn_, "n_samples_fit_", lambda n: n + 100),
        "n_samples_fit_: samples",
    ),
    "neighbours_method": (
        "forest",
        _set_attr(lambda m: m.domain_.nn_, "_fit_method", lambda _: "kd_tree"),
        "expected 'brute'",
    ),
    "domain_distances_nan": (
        "forest",
        _set_attr(lambda m: m.domain_, "train_distances_", _nan_first),
        "train_distances_: expected finite values",
    ),
    "calibration_neighbours_nan": (
        "forest",
        _set_attr(lambda m: m.sigma_estimator_.neighbours_, "_fit_X", _nan_first),
        "neighbours_._fit_X: expected finite values",
    ),
    # calibration
    "conformity_scores_nan": (
        "forest",
        _set_attr(lambda m: m.sigma_estimator_, "conformity_scores_", _nan_first),
        "conformity_scores_: expected finite values",
    ),
    "distance_bins_count": (
        "forest",
        _set_attr(lambda m: m.sigma_estimator_, "binned_scores_", lambda b: b[:-1]),
        "binned_scores_: bins",
    ),
    # the quantile forest's training leaves
    "training_leaf_out_of_range": (
        "median",
        _set_attr(lambda m: m.sigma_estimator_, "core_", lambda c: (c[0], c[1] + 10**9, c[2])),
        "expected leaf node ids of the tree",
    ),
    "training_leaf_on_a_split": (
        "median",
        _set_attr(lambda m: m.sigma_estimator_, "core_", lambda c: (c[0], c[1] * 0, c[2])),
        "expected leaf node ids of the tree",
    ),
    "training_targets_shape": (
        "median",
        _set_attr(lambda m: m.sigma_estimator_, "core_", lambda c: (c[0], c[1], c[2][:-1])),
        "core_[1]: shape",
    ),
    # estimators built for another width than the featurizer gives
    "featurizer_width": (
        "forest",
        _set_attr(lambda m: m.featurizer_, "elements_", lambda e: [*e, "Xe"]),
        "sigma_estimator_.n_features_in_",
    ),
    "forest_width": (
        "forest",
        _set_attr(lambda m: m.sigma_estimator_.core_, "n_features_in_", lambda n: n + 1),
        "core_.n_features_in_",
    ),
    # the hurdle classifier's classes
    "classifier_classes": (
        "forest",
        _set_attr(lambda m: m.censoring_classifier_, "classes_", lambda c: np.array([0, 2])),
        "expected the classes 0 and 1",
    ),
    "classifier_class_count": (
        "forest",
        _set_attr(lambda m: m.censoring_classifier_, "n_classes_", lambda n: n + 1),
        "n_classes_",
    ),
    # the Platt calibration of P(below detection) (issue 26)
    "calibration_nan": (
        "forest",
        _set_attr(lambda m: m, "censoring_calibration_", lambda c: np.array([np.nan, 0.0])),
        "expected finite values",
    ),
    "calibration_shape": (
        "forest",
        _set_attr(lambda m: m, "censoring_calibration_", lambda c: np.zeros(3)),
        "expected 2 numbers",
    ),
    "calibration_slope": (
        "forest",
        _set_attr(lambda m: m, "censoring_calibration_", lambda c: np.array([-1.0, 0.0])),
        "expected a slope >= 0",
    ),
    # the same calibration per distance bin (model version 4)
    "binned_calibration_rows": (
        "binned",
        _set_attr(lambda m: m, "censoring_calibration_", lambda c: c[:1]),
        "expected 2 rows of 2 numbers",
    ),
    "binned_calibration_slope": (
        "binned",
        _set_attr(lambda m: m, "censoring_calibration_", lambda c: c * -1.0),
        "expected slopes >= 0",
    ),
    "binned_edges_nan": (
        "binned",
        _set_attr(lambda m: m, "censoring_distance_model_", lambda d: (np.array([np.nan]), *d[1:])),
        "expected finite values",
    ),
    "binned_not_a_quadruple": (
        "binned",
        _set_attr(lambda m: m, "censoring_distance_model_", lambda d: d[:3]),
        "expected (edges, scaler, neighbours, k)",
    ),
    "binned_swapped": (
        "binned",
        _set_attr(lambda m: m, "censoring_distance_model_", lambda d: (d[0], d[2], d[1], d[3])),
        "expected a StandardScaler",
    ),
    "binned_k": (
        "binned",
        _set_attr(lambda m: m, "censoring_distance_model_", lambda d: (*d[:3], 10**6)),
        "more neighbours than training rows",
    ),
    "binned_scaler_width": (
        "binned",
        _set_attr(lambda m: m.censoring_distance_model_[1], "n_features_in_", lambda n: n + 1),
        "a scaler for",
    ),
    # the temperatures the training rows were measured at
    "temperature_range_nan": (
        "forest",
        _set_attr(lambda m: m, "temperature_range_k_", lambda r: np.array([np.nan, 300.0])),
        "expected finite values",
    ),
    "temperature_range_reversed": (
        "forest",
        _set_attr(lambda m: m, "temperature_range_k_", lambda r: r[::-1] + np.array([1.0, 0.0])),
        "expected 0 < low <= high",
    ),
    # the measured Arrhenius series
    "series_nan": (
        "forest",
        _set_attr(lambda m: m, "series_", lambda s: {k: [np.nan] * 6 for k in s}),
        "expected 6 finite numbers",
    ),
    # a composition's reports at one temperature (model version 7)
    "points_nan": (
        "forest",
        _set_attr(lambda m: m, "points_", lambda p: {k: [np.nan] * 5 for k in p}),
        "expected 5 finite numbers",
    ),
    "points_negative_scatter": (
        "forest",
        _set_attr(
            lambda m: m, "points_", lambda p: {k: [*v[:2], -1.0, *v[3:]] for k, v in p.items()}
        ),
        "expected scatter >= 0",
    ),
    "points_at_zero_kelvin": (
        "forest",
        _set_attr(lambda m: m, "points_", lambda p: {k: [v[0], 0.0, *v[2:]] for k, v in p.items()}),
        "a temperature > 0 K",
    ),
}


@pytest.mark.parametrize("case", list(OTHER_CASES))
def test_a_broken_estimator_of_another_kind_is_refused_with_its_reason(models, tmp_path, case):
    kind, edit, reason = OTHER_CASES[case]
    message = refusal(crafted(models[kind], edit), tmp_path)
    assert reason in message, message


def test_a_file_whose_root_is_not_a_surrogate_is_refused(models, tmp_path):
    message = refusal(sio.dumps(copy_of(models["forest"]).sigma_estimator_), tmp_path)
    assert "holds a ForestSurrogate, not a ConductivitySurrogate" in message


@pytest.mark.parametrize("kind", ["forest", "median", "gbm", "gp", "binned"])
def test_real_trained_models_are_accepted_and_predict_as_before(models, tmp_path, kind):
    model = models[kind]
    data = sio.dumps(model)
    path = tmp_path / "model.skops"
    path.write_bytes(data)
    loaded = load_model(path, sha256_bytes(data), SOURCE)
    query = training_table()[0].head(6)
    pd.testing.assert_frame_equal(loaded.predict_table(query), model.predict_table(query))


# --- the crash itself, through `ssemo predict` ----------------------------------------------------


def _no_core_dump():  # the control below crashes on purpose
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_no_core_dump,
    )


@pytest.fixture(scope="module")
def crafted_store(tmp_path_factory):
    """A store with a registered model whose file is replaced by a forest with a feature index far
    outside its arrays, and the recorded SHA-256 set to the crafted file's (the attacker writes
    the store too)."""
    import mlflow

    from pipeline.reporting.tracking import MODEL_HASH_TAG
    from surrogates.persistence import sha256_file

    root = tmp_path_factory.mktemp("crafted-store")
    uri = f"sqlite:///{root}/mlflow.db"
    version = register(uri, seed=0)
    path = model_file(uri, version)
    model = sio.loads(path.read_bytes(), trusted=sio.get_untrusted_types(data=path.read_bytes()))

    def crash(m):
        for est in m.sigma_estimator_.core_.estimators_:  # every row passes each tree's root
            edit_nodes(est, _set("feature", 2**40))

    path.write_bytes(crafted(model, crash))
    client = mlflow.tracking.MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.set_model_version_tag(MODEL_NAME, version, MODEL_HASH_TAG, sha256_file(path))
    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)
    return uri, version, path


def test_the_crafted_forest_crashes_the_process_without_the_check(crafted_store):
    """The control: the same bytes loaded with the allow-list alone and asked to predict kill the
    process with a signal (SIGSEGV), which is what ssemo predict did."""
    _, _, path = crafted_store
    code = (
        "import sys, pandas as pd, skops.io as sio\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "model = sio.loads(data, trusted=sio.get_untrusted_types(data=data))\n"
        "frame = pd.DataFrame({'composition': ['Li7La3Zr2O12'], 'temperature_k': [298.15]})\n"
        "model.predict_table(frame)\n"
    )
    result = run_python(code, str(path))
    assert result.returncode < 0, (result.returncode, result.stderr[-2000:])


def test_ssemo_predict_refuses_the_crafted_forest_instead_of_crashing(crafted_store, tmp_path):
    uri, version, _ = crafted_store
    out = tmp_path / "p.csv"
    code = "import sys; from pipeline.cli import main; sys.exit(main(sys.argv[1:]))"
    result = run_python(
        code,
        "predict",
        "--input",
        str(CONFIGS / "examples" / "compositions.csv"),
        "--tracking-uri",
        uri,
        "--model",
        f"{MODEL_NAME}/{version}",
        "--out",
        str(out),
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(lines) == 1, result.stderr[-2000:]
    assert f"version {version}" in lines[0] and "splits on feature 1099511627776" in lines[0]
    assert not out.exists()
