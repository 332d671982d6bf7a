"""The fitted arrays of a loaded surrogate, checked before it predicts anything (issue 27, item 3).

The type allow-list (surrogates.persistence) decides which classes a model file may build; it cannot
decide what their arrays hold. scikit-learn's tree code follows child and feature indices without
bounds checks, so a file whose tree has a child or feature index outside its arrays, registered with
its true SHA-256, crashed `ssemo predict` with SIGSEGV, and a child pointing back up the tree would
loop for ever. Tree.__setstate__ checks only the node array's dtype and the value array's shape
(tests/robustness/test_model_invariants.py crafts each case to show what reaches the C code). So
every fitted estimator found anywhere in a loaded model is checked here against what its `fit` makes:

- trees (sklearn Tree of every forest and of the hurdle classifier; TreePredictor of the gradient
  boosting): a leaf has no children (and feature -2 in a Tree); a split node's children lie after
  it in the node array and every node but the root is the child of exactly one split node (fit
  numbers nodes depth first, so this is exactly "a proper tree": no cycle, no shared or unreachable
  node); split features in [0, n_features_in_); thresholds finite (ssemo's features are never
  missing, so no split on missing values with an infinite threshold; gradient boosting's
  split-on-missing threshold +inf is allowed); leaf values finite; value array (node_count,
  n_outputs, max_n_classes); no categorical splits (ssemo never fits any: their bitsets are
  indexed without bounds checks too);
- the estimators holding them: n_features_in_ the same from the featurizer's output through every
  estimator, forest and tree; outputs and classes consistent;
- scalers, nearest neighbours (applicability domain, distance-binned calibration), Gaussian
  processes, calibration scores, the quantile forest's training leaves, measured series: shapes
  consistent and values finite (scales > 0).

Finally the model predicts one probe composition, which must give finite numbers. A failure is one
`ModelRefusedError` line: the model, where in it (an attribute path) and what was expected.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import numpy as np

from surrogates.errors import ModelRefusedError
from surrogates.measured import POINT_FIELDS, SERIES_FIELDS

MAX_WALK_OBJECTS = 5_000_000  # objects visited in one model (a large forest holds ~10^5)
PROBE = {"composition": ["Li7La3Zr2O12"], "temperature_k": [298.15]}


# ids of the objects checked by the current check_fitted_model call: the walk over the whole model
# does not check again what the surrogate's own check (with its feature counts) already did
_CHECKED: ContextVar[set[int] | None] = ContextVar("_CHECKED", default=None)


def _mark(obj: Any) -> None:
    checked = _CHECKED.get()
    if checked is not None:
        checked.add(id(obj))


class _Invalid(Exception):
    """One broken invariant: the attribute path and what is wrong there."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")


def _require(ok: Any, path: str, reason: str) -> None:
    if not ok:
        raise _Invalid(path, reason)


def _array(value: Any, path: str, ndim: int, kind: str = "f") -> np.ndarray:
    """`value` as an ndarray with `ndim` dimensions of numbers (kind "f"), integers ("i") or
    booleans or 0/1 integers ("b")."""
    _require(isinstance(value, np.ndarray), path, f"expected an array, got {type(value).__name__}")
    _require(value.ndim == ndim, path, f"expected {ndim} dimension(s), got shape {value.shape}")
    allowed = {"f": "fiu", "i": "iu", "b": "biu"}[kind]
    _require(value.dtype.kind in allowed, path, f"unexpected dtype {value.dtype}")
    return value


def _finite(value: Any, path: str, ndim: int) -> np.ndarray:
    array = _array(value, path, ndim)
    _require(np.isfinite(array).all(), path, "expected finite values, found NaN or infinity")
    return array


def _count(value: Any, path: str, low: int = 0) -> int:
    _require(
        isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= low,
        path,
        f"expected an integer >= {low}, got {value!r}",
    )
    return int(value)


def _same(value: Any, expected: int, path: str, what: str) -> None:
    _require(value == expected, path, f"{what} {value!r}, expected {expected}")


# --- trees --------------------------------------------------------------------------------------


def _check_structure(left: np.ndarray, right: np.ndarray, leaf: np.ndarray, path: str) -> None:
    """A split node's children lie after it, and every node but the root (0) is the child of
    exactly one split node: with fit's depth-first numbering, a proper tree (no cycle, no node
    shared or unreachable, no index outside the arrays)."""
    n = len(left)
    _require(n >= 1, path, "a tree without nodes")
    ids = np.arange(n)
    split = ~leaf
    for name, child in (("left", left), ("right", right)):
        bad = np.flatnonzero(split & ((child <= ids) | (child >= n)))
        if bad.size:
            i = int(bad[0])
            raise _Invalid(
                path,
                f"node {i}'s {name} child {int(child[i])} is outside ({i}, {n}) "
                "(a child comes after its parent in the node array)",
            )
    children = np.concatenate([left[split], right[split]])
    parents = np.bincount(children, minlength=n)
    wrong = np.flatnonzero(parents[1:] != 1) + 1
    if wrong.size:
        i = int(wrong[0])
        raise _Invalid(
            path,
            f"node {i} is the child of {int(parents[i])} split nodes, expected exactly 1 "
            "(not a tree: a shared node, a cycle or an unreachable node)",
        )


def _first_bad(mask: np.ndarray, path: str, message) -> None:
    """_Invalid with message(i) for the first node i where mask is set."""
    bad = np.flatnonzero(mask)
    if bad.size:
        raise _Invalid(path, message(int(bad[0])))


def check_tree(tree: Any, path: str, n_features: int | None = None) -> None:
    """An sklearn.tree._tree.Tree (see the module docstring for the rules)."""
    _mark(tree)
    from sklearn.tree._tree import TREE_LEAF, TREE_UNDEFINED

    n = _count(tree.node_count, f"{path}.node_count", 1)
    n_outputs = _count(tree.n_outputs, f"{path}.n_outputs", 1)
    width = _count(tree.n_features, f"{path}.n_features", 1)
    if n_features is not None:
        _same(width, n_features, f"{path}.n_features", "a tree for")
    n_classes = _array(np.asarray(tree.n_classes), f"{path}.n_classes", 1, "i")
    _same(len(n_classes), n_outputs, f"{path}.n_classes", "classes for outputs:")
    _require((n_classes >= 1).all(), f"{path}.n_classes", "expected >= 1 class per output")
    state = tree.__getstate__()
    nodes = state["nodes"]
    _require(
        isinstance(nodes, np.ndarray) and nodes.shape == (n,),
        f"{path}.nodes",
        f"expected {n} nodes, got shape {getattr(nodes, 'shape', None)}",
    )
    left = nodes["left_child"].astype(np.int64)
    right = nodes["right_child"].astype(np.int64)
    feature = nodes["feature"].astype(np.int64)
    threshold = nodes["threshold"]
    leaf = left == TREE_LEAF
    where = f"{path}.nodes"
    _first_bad(
        leaf & ((right != TREE_LEAF) | (feature != TREE_UNDEFINED)),
        where,
        lambda i: (
            f"leaf {i} has right child {right[i]} and feature {feature[i]} "
            f"(expected {TREE_LEAF} and {TREE_UNDEFINED})"
        ),
    )
    _check_structure(left, right, leaf, where)
    split = ~leaf
    _first_bad(
        split & ((feature < 0) | (feature >= width)),
        where,
        lambda i: f"node {i} splits on feature {feature[i]}, outside [0, {width})",
    )
    _first_bad(
        split & ~np.isfinite(threshold),
        where,
        lambda i: f"node {i} has threshold {threshold[i]}, expected a finite number",
    )
    value = _array(state["values"], f"{path}.value", 3)
    expected = (n, n_outputs, int(n_classes.max()))
    _require(value.shape == expected, f"{path}.value", f"shape {value.shape}, expected {expected}")
    _require(np.isfinite(value[leaf]).all(), f"{path}.value", "a leaf value is not finite")


def check_tree_predictor(predictor: Any, path: str, n_features: int | None = None) -> None:
    """A gradient-boosting TreePredictor: its node records (module docstring)."""
    _mark(predictor)
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE

    nodes = predictor.nodes
    _require(
        isinstance(nodes, np.ndarray) and nodes.ndim == 1 and nodes.dtype == PREDICTOR_RECORD_DTYPE,
        f"{path}.nodes",
        "expected a 1-D array of predictor records",
    )
    leaf = nodes["is_leaf"] == 1
    _require(np.isin(nodes["is_leaf"], (0, 1)).all(), f"{path}.nodes", "is_leaf not 0 or 1")
    _check_structure(
        nodes["left"].astype(np.int64), nodes["right"].astype(np.int64), leaf, f"{path}.nodes"
    )
    split = ~leaf
    where = f"{path}.nodes"
    feature = nodes["feature_idx"].astype(np.int64)
    width = n_features if n_features is not None else np.iinfo(np.int32).max
    _first_bad(
        split & ((feature < 0) | (feature >= width)),
        where,
        lambda i: f"node {i} splits on feature {feature[i]}, outside [0, {width})",
    )
    _first_bad(
        split & (nodes["is_categorical"] != 0),
        where,
        lambda i: f"node {i} is a categorical split (ssemo fits none)",
    )
    threshold = nodes["num_threshold"]
    _first_bad(
        split & (np.isnan(threshold) | (threshold == -np.inf)),
        where,
        lambda i: f"node {i} has threshold {threshold[i]}, expected a number or +inf",
    )
    _first_bad(
        leaf & ~np.isfinite(nodes["value"]),
        where,
        lambda i: f"leaf {i} has value {nodes['value'][i]}, expected a finite number",
    )


# --- estimators ---------------------------------------------------------------------------------


def _check_decision_tree(est: Any, path: str, n_features: int | None = None) -> int:
    """A fitted DecisionTree*/ExtraTree*: its Tree agrees with it; returns its width (a forest's
    trees have no n_features_in_: fitted without input checks, they have their Tree's)."""
    _mark(est)
    width = _count(getattr(est, "n_features_in_", est.tree_.n_features), f"{path}.n_features", 1)
    if n_features is not None:
        _same(width, n_features, f"{path}.n_features_in_", "a tree for")
    n_outputs = _count(est.n_outputs_, f"{path}.n_outputs_", 1)
    _same(n_outputs, est.tree_.n_outputs, f"{path}.tree_.n_outputs", "outputs")
    check_tree(est.tree_, f"{path}.tree_", width)
    if hasattr(est, "classes_"):
        _check_classes(est, path, est.tree_)
    return width


def _check_classes(est: Any, path: str, tree: Any | None = None) -> None:
    classes = _array(np.asarray(est.classes_), f"{path}.classes_", 1)
    _same(est.n_classes_, len(classes), f"{path}.n_classes_", "classes")
    if tree is not None:
        _same(
            int(np.asarray(tree.n_classes)[0]), len(classes), f"{path}.tree_.n_classes", "classes"
        )


def _check_forest(forest: Any, path: str, n_features: int | None = None) -> int:
    _mark(forest)
    width = _count(forest.n_features_in_, f"{path}.n_features_in_", 1)
    if n_features is not None:
        _same(width, n_features, f"{path}.n_features_in_", "a forest for")
    trees = forest.estimators_
    _require(isinstance(trees, list) and trees, f"{path}.estimators_", "expected a non-empty list")
    for i, est in enumerate(trees):
        _check_decision_tree(est, f"{path}.estimators_[{i}]", width)
        _same(est.n_outputs_, forest.n_outputs_, f"{path}.estimators_[{i}].n_outputs_", "outputs")
    if hasattr(forest, "classes_"):
        _check_classes(forest, path)
        for i, est in enumerate(trees):
            _same(est.n_classes_, forest.n_classes_, f"{path}.estimators_[{i}]", "classes")
    return width


def _check_hist_gradient_boosting(hgb: Any, path: str, n_features: int | None = None) -> int:
    _mark(hgb)
    width = _count(hgb.n_features_in_, f"{path}.n_features_in_", 1)
    if n_features is not None:
        _same(width, n_features, f"{path}.n_features_in_", "a model for")
    _same(hgb.n_trees_per_iteration_, 1, f"{path}.n_trees_per_iteration_", "trees per iteration")
    _require(getattr(hgb, "_preprocessor", None) is None, f"{path}._preprocessor", "expected None")
    _require(not getattr(hgb, "_in_fit", False), f"{path}._in_fit", "expected False")
    _require(
        getattr(hgb, "is_categorical_", None) is None, f"{path}.is_categorical_", "expected None"
    )
    categorical = _array(
        hgb._bin_mapper.is_categorical_, f"{path}._bin_mapper.is_categorical_", 1, "b"
    )
    _require(
        categorical.shape == (width,) and not categorical.any(),
        f"{path}._bin_mapper.is_categorical_",
        f"expected {width} False values (ssemo fits no categorical feature)",
    )
    baseline = _finite(hgb._baseline_prediction, f"{path}._baseline_prediction", 2)
    _require(baseline.shape == (1, 1), f"{path}._baseline_prediction", "expected shape (1, 1)")
    iterations = hgb._predictors
    _require(isinstance(iterations, list), f"{path}._predictors", "expected a list")
    for i, per_iteration in enumerate(iterations):
        _require(
            isinstance(per_iteration, list) and len(per_iteration) == 1,
            f"{path}._predictors[{i}]",
            "expected one predictor",
        )
        check_tree_predictor(per_iteration[0], f"{path}._predictors[{i}][0]", width)
    return width


def _check_scaler(scaler: Any, path: str, n_features: int | None = None) -> int:
    _mark(scaler)
    width = _count(scaler.n_features_in_, f"{path}.n_features_in_", 1)
    if n_features is not None:
        _same(width, n_features, f"{path}.n_features_in_", "a scaler for")
    for name in ("mean_", "scale_", "var_"):
        value = getattr(scaler, name, None)
        if value is None and name != "scale_":
            continue
        array = _finite(value, f"{path}.{name}", 1)
        _same(array.shape[0], width, f"{path}.{name}", "length")
    _require((scaler.scale_ > 0).all(), f"{path}.scale_", "expected scales > 0")
    return width


def _check_neighbours(nn: Any, path: str, n_features: int | None = None) -> int:
    """Brute-force nearest neighbours (a KD or ball tree is outside the allow-list)."""
    _mark(nn)
    width = _count(nn.n_features_in_, f"{path}.n_features_in_", 1)
    if n_features is not None:
        _same(width, n_features, f"{path}.n_features_in_", "neighbours for")
    _require(
        nn._fit_method == "brute" and getattr(nn, "_tree", None) is None,
        f"{path}._fit_method",
        f"expected 'brute', got {nn._fit_method!r}",
    )
    _require(
        nn.effective_metric_ == "euclidean",
        f"{path}.effective_metric_",
        f"expected 'euclidean', got {nn.effective_metric_!r}",
    )
    fit_x = _finite(nn._fit_X, f"{path}._fit_X", 2)
    _require(
        fit_x.shape[1] == width and fit_x.shape[0] >= 1,
        f"{path}._fit_X",
        f"shape {fit_x.shape}, expected (>= 1, {width})",
    )
    _same(nn.n_samples_fit_, fit_x.shape[0], f"{path}.n_samples_fit_", "samples")
    return width


def _check_gaussian_process(gp: Any, path: str, n_features: int | None = None) -> int:
    _mark(gp)
    x = _finite(gp.X_train_, f"{path}.X_train_", 2)
    n, width = x.shape
    _require(n >= 1, f"{path}.X_train_", "no training rows")
    if n_features is not None:
        _same(width, n_features, f"{path}.X_train_", "columns")
    _same(gp.n_features_in_, width, f"{path}.n_features_in_", "features")
    for name, shape in (("y_train_", (n,)), ("alpha_", (n,)), ("L_", (n, n))):
        value = _finite(getattr(gp, name), f"{path}.{name}", len(shape))
        _require(value.shape == shape, f"{path}.{name}", f"shape {value.shape}, expected {shape}")
    mean, std = np.asarray(gp._y_train_mean, float), np.asarray(gp._y_train_std, float)
    _require(
        mean.size == 1 and std.size == 1 and np.isfinite([mean, std]).all() and std > 0,
        f"{path}._y_train_std",
        "expected a finite mean and a positive finite std",
    )
    _finite(gp.kernel_.theta, f"{path}.kernel_.theta", 1)  # log hyperparameters
    return width


def _check_calibrated(est: Any, path: str, n_features: int | None = None) -> int:
    """A surrogates.estimators CalibratedRegressor: its core and its conformal calibration."""
    _mark(est)
    from surrogates.estimators import ForestSurrogate, GPSurrogate, QuantileGBMSurrogate

    width = _count(est.n_features_in_, f"{path}.n_features_in_", 1)
    if n_features is not None:
        _same(width, n_features, f"{path}.n_features_in_", "an estimator for")
    scores = _finite(est.conformity_scores_, f"{path}.conformity_scores_", 1)
    _require(
        scores.size >= 1 and (scores >= 0).all(), f"{path}.conformity_scores_", "expected >= 0"
    )
    binned = getattr(est, "binned_scores_", [])
    if len(binned):
        edges = _finite(est.distance_edges_, f"{path}.distance_edges_", 1)
        _same(len(binned), edges.size + 1, f"{path}.binned_scores_", "bins")
        for i, part in enumerate(binned):
            _finite(part, f"{path}.binned_scores_[{i}]", 1)
        _require(
            np.isfinite(est.max_calibration_distance_),
            f"{path}.max_calibration_distance_",
            "expected a finite number",
        )
        _check_scaler(est.scaler_, f"{path}.scaler_", width)
        _check_neighbours(est.neighbours_, f"{path}.neighbours_", width)
    core = est.core_
    if isinstance(est, ForestSurrogate):
        if getattr(est, "aggregate", "mean") == "mean":
            _check_forest(core, f"{path}.core_", width)
        else:
            _require(isinstance(core, tuple) and len(core) == 3, f"{path}.core_", "a 3-tuple")
            forest, leaves, y_sorted = core
            _check_forest(forest, f"{path}.core_[0]", width)
            _check_training_leaves(forest, leaves, y_sorted, f"{path}.core_")
    elif isinstance(est, QuantileGBMSurrogate):
        _require(isinstance(core, tuple) and len(core) == 3, f"{path}.core_", "a 3-tuple")
        for i, model in enumerate(core):
            _check_hist_gradient_boosting(model, f"{path}.core_[{i}]", width)
    elif isinstance(est, GPSurrogate):
        _require(isinstance(core, tuple) and len(core) == 2, f"{path}.core_", "a 2-tuple")
        _check_scaler(core[0], f"{path}.core_[0]", width)
        _check_gaussian_process(core[1], f"{path}.core_[1]", width)
    return width


def _check_training_leaves(forest: Any, leaves: Any, y_sorted: Any, path: str) -> None:
    """The quantile forest's training rows: their targets ascending, their leaf in every tree."""
    y = _finite(y_sorted, f"{path}[2]", 1)
    _require(y.size >= 1 and (np.diff(y) >= 0).all(), f"{path}[2]", "expected ascending targets")
    leaves = _array(leaves, f"{path}[1]", 2, "i")
    shape = (y.size, len(forest.estimators_))
    _require(leaves.shape == shape, f"{path}[1]", f"shape {leaves.shape}, expected {shape}")
    for t, est in enumerate(forest.estimators_):
        tree = est.tree_
        column = leaves[:, t]
        ok = (column >= 0) & (column < tree.node_count)
        ok[ok] = tree.children_left[column[ok]] == -1
        _require(ok.all(), f"{path}[1][:, {t}]", "expected leaf node ids of the tree")


def _check_domain(domain: Any, path: str, n_features: int | None = None) -> int:
    _mark(domain)
    width = _count(domain.n_features_in_, f"{path}.n_features_in_", 1)
    if n_features is not None:
        _same(width, n_features, f"{path}.n_features_in_", "a domain for")
    _check_scaler(domain.scaler_, f"{path}.scaler_", width)
    _check_neighbours(domain.nn_, f"{path}.nn_", width)
    distances = _finite(domain.train_distances_, f"{path}.train_distances_", 1)
    _require(distances.size >= 1, f"{path}.train_distances_", "expected >= 1 distance")
    _require(
        1 <= _count(domain.k_, f"{path}.k_", 1) <= domain.nn_.n_samples_fit_,
        f"{path}.k_",
        "more neighbours than training rows",
    )
    return width


def _probe_width(featurizer: Any, path: str) -> int:
    import pandas as pd

    try:
        features = featurizer.transform(pd.DataFrame(PROBE))
    except Exception as exc:
        raise _Invalid(path, f"does not featurize a probe row ({type(exc).__name__})") from None
    _require(np.asarray(features).ndim == 2, path, "featurizes to a non-table")
    return int(np.asarray(features).shape[1])


def _check_censoring_calibration(model: Any, path: str, width: int) -> None:
    """Platt scaling of P(below detection): [slope >= 0, intercept], or one such row per distance
    bin with the bins' edges (ascending) and the scaler and neighbours that place a query."""
    calibration = getattr(model, "censoring_calibration_", None)
    binned = getattr(model, "censoring_distance_model_", None)  # version 3 models: none
    where = f"{path}.censoring_calibration_"
    if calibration is None:
        _require(binned is None, f"{path}.censoring_distance_model_", "without a calibration")
        return
    if binned is None:
        values = _finite(calibration, where, 1)
        _require(values.shape == (2,), where, "expected 2 numbers")
        _require(values[0] >= 0.0, f"{where}[0]", "expected a slope >= 0")
        return
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    model_path = f"{path}.censoring_distance_model_"
    _require(
        isinstance(binned, tuple) and len(binned) == 4,
        model_path,
        "expected (edges, scaler, neighbours, k)",
    )
    edges = _finite(binned[0], f"{model_path}[0]", 1)
    _require((np.diff(edges) >= 0).all(), f"{model_path}[0]", "not ascending")
    _require(isinstance(binned[1], StandardScaler), f"{model_path}[1]", "expected a StandardScaler")
    _check_scaler(binned[1], f"{model_path}[1]", width)
    _require(
        isinstance(binned[2], NearestNeighbors), f"{model_path}[2]", "expected NearestNeighbors"
    )
    _check_neighbours(binned[2], f"{model_path}[2]", width)
    _require(
        1 <= _count(binned[3], f"{model_path}[3]", 1) <= binned[2].n_samples_fit_,
        f"{model_path}[3]",
        "more neighbours than training rows",
    )
    values = _finite(calibration, where, 2)
    _require(
        values.shape == (edges.size + 1, 2), where, f"expected {edges.size + 1} rows of 2 numbers"
    )
    _require((values[:, 0] >= 0.0).all(), f"{where}[:, 0]", "expected slopes >= 0")


def _check_surrogate(model: Any, path: str) -> None:
    """A ConductivitySurrogate: every estimator built for its featurizer's output."""
    width = _probe_width(model.featurizer_, f"{path}.featurizer_")
    _check_calibrated(model.sigma_estimator_, f"{path}.sigma_estimator_", width)
    if getattr(model, "ea_estimator_", None) is not None:
        _check_calibrated(model.ea_estimator_, f"{path}.ea_estimator_", width)
    classifier = getattr(model, "censoring_classifier_", None)
    if classifier is not None:
        _check_forest(classifier, f"{path}.censoring_classifier_", width)
        _require(
            sorted(np.asarray(classifier.classes_).tolist()) == [0, 1],
            f"{path}.censoring_classifier_.classes_",
            "expected the classes 0 and 1",
        )
    _check_censoring_calibration(model, path, width)
    _check_domain(model.domain_, f"{path}.domain_", width)
    known = getattr(model, "temperature_range_k_", None)  # models of version 4 before it: none
    if known is not None:
        where = f"{path}.temperature_range_k_"
        values = _finite(known, where, 1)
        _require(values.shape == (2,), where, "expected 2 temperatures")
        _require(0.0 < values[0] <= values[1], where, "expected 0 < low <= high (kelvin)")
    fallback = getattr(model, "composition_estimator_", None)
    if fallback is not None:
        fallback_width = _probe_width(
            model.composition_featurizer_, f"{path}.composition_featurizer_"
        )
        _check_calibrated(fallback, f"{path}.composition_estimator_", fallback_width)
    for name, fields in (("series_", SERIES_FIELDS), ("points_", POINT_FIELDS)):
        for key, values in getattr(model, name, {}).items():  # points_: none before version 7
            _require(
                isinstance(values, list)
                and len(values) == len(fields)
                and np.isfinite(np.asarray(values, dtype=float)).all(),
                f"{path}.{name}[{key!r}]",
                f"expected {len(fields)} finite numbers ({', '.join(fields)})",
            )
            named = dict(zip(fields, values, strict=True))
            _require(
                named["scatter"] >= 0
                and named["reports"] >= 1
                and named.get("temperature_k", 1.0) > 0,
                f"{path}.{name}[{key!r}]",
                "expected scatter >= 0, at least one report and a temperature > 0 K",
            )


# Types checked wherever they occur in a loaded model, by module and name (so that a tree hidden
# in an unexpected attribute is checked too).
_CHECKS: dict[str, Callable[..., Any]] = {
    "sklearn.tree._tree.Tree": check_tree,
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor": check_tree_predictor,
    "sklearn.tree._classes.DecisionTreeRegressor": _check_decision_tree,
    "sklearn.tree._classes.DecisionTreeClassifier": _check_decision_tree,
    "sklearn.tree._classes.ExtraTreeRegressor": _check_decision_tree,
    "sklearn.tree._classes.ExtraTreeClassifier": _check_decision_tree,
    "sklearn.ensemble._forest.RandomForestRegressor": _check_forest,
    "sklearn.ensemble._forest.RandomForestClassifier": _check_forest,
    "sklearn.ensemble._forest.ExtraTreesRegressor": _check_forest,
    "sklearn.ensemble._forest.ExtraTreesClassifier": _check_forest,
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor": (
        _check_hist_gradient_boosting
    ),
    "sklearn.preprocessing._data.StandardScaler": _check_scaler,
    "sklearn.neighbors._unsupervised.NearestNeighbors": _check_neighbours,
    "sklearn.gaussian_process._gpr.GaussianProcessRegressor": _check_gaussian_process,
    "surrogates.estimators.ForestSurrogate": _check_calibrated,
    "surrogates.estimators.QuantileGBMSurrogate": _check_calibrated,
    "surrogates.estimators.GPSurrogate": _check_calibrated,
    "surrogates.domain.ApplicabilityDomain": _check_domain,
    "surrogates.model.ConductivitySurrogate": _check_surrogate,
}


def _walk(root: Any):
    """(path, object) of every object reachable from root through attributes and containers."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("model", root)]
    while stack:
        path, obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (str, bytes, int, float, bool, type(None))):
            continue
        seen.add(id(obj))
        if len(seen) > MAX_WALK_OBJECTS:
            raise _Invalid("model", f"more than {MAX_WALK_OBJECTS} objects")
        yield path, obj
        if isinstance(obj, np.ndarray):
            if obj.dtype == object:
                stack.extend((f"{path}[{i}]", v) for i, v in enumerate(obj.ravel()))
        elif isinstance(obj, dict):
            stack.extend((f"{path}[{k!r}]", v) for k, v in obj.items())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(obj))
        elif hasattr(obj, "__dict__"):
            stack.extend((f"{path}.{k}", v) for k, v in vars(obj).items())


def _probe(model: Any) -> None:
    """The whole model on one composition: finite numbers (after the arrays were checked)."""
    import pandas as pd

    try:
        table = model.predict_table(pd.DataFrame(PROBE))
    except Exception as exc:
        raise _Invalid(
            "model", f"does not predict a probe composition ({type(exc).__name__}: {exc})"
        ) from None
    numbers = table.select_dtypes("number").to_numpy(float)
    _require(np.isfinite(numbers).all(), "model", "predicts non-finite numbers for a probe")


def check_fitted_model(model: Any, source: str) -> Any:
    """`model` when it is a ConductivitySurrogate whose fitted arrays hold every invariant above;
    otherwise a one-line ModelRefusedError naming `source`, the attribute and the reason."""
    from surrogates.model import ConductivitySurrogate

    if not isinstance(model, ConductivitySurrogate):
        raise ModelRefusedError(
            f"{source}: refused, the file holds a {type(model).__name__}, "
            "not a ConductivitySurrogate"
        )
    from sklearn.base import BaseEstimator
    from sklearn.utils.validation import _is_fitted

    token = _CHECKED.set(set())
    try:
        for path, obj in _walk(model):
            if id(obj) in (_CHECKED.get() or ()):
                continue
            kind = type(obj)
            check = _CHECKS.get(f"{kind.__module__}.{kind.__qualname__}")
            # an unfitted estimator (a forest's template tree) never predicts; a used one that is
            # not fitted fails the probe
            if check is not None and (not isinstance(obj, BaseEstimator) or _is_fitted(obj)):
                check(obj, path)
        _probe(model)
    except _Invalid as exc:
        raise ModelRefusedError(f"{source}: refused, invalid fitted arrays at {exc}") from None
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelRefusedError(
            f"{source}: refused, its fitted estimators are incomplete or malformed "
            f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"
        ) from None
    finally:
        _CHECKED.reset(token)
    return model
