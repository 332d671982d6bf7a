"""Input domains of the physics functions: one way to check them, one error (DomainError).

Every public function of objectives/ states the domain of each argument in its docstring and checks
it here, so an impossible input (a negative thickness, a relative density above 1, T <= 0 K) or a
misspelled option raises instead of returning a negative ASR, an inf or another model's answer.

Conventions, the same for every function:
- NaN means "unknown" (the catalog leaves unreported values NaN) and passes every check; it
  propagates to NaN in the results.
- An infinite bound is not checked, as in scikit-learn's Interval: "(0, inf)" rejects 0 and
  negatives but lets inf through (an insulating phase gives an infinite ASR, which is passed on).
- A check looks at the array's smallest and/or largest value only (argmin/argmax: one pass each,
  with a fifth of the fixed cost of a ufunc reduction); the element-wise mask that finds the first
  offending value is built only when a check fails. The evaluation's hot path runs ~60 checks per
  chunk of 8192 designs.
"""

from collections.abc import Collection

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.errors import DomainError

# interval text -> (low, low open, high, high open); an infinite bound is stored as None (unchecked)
_Bounds = tuple[float | None, bool, float | None, bool]
_INTERVALS: dict[str, _Bounds] = {}


def _parse(interval: str) -> _Bounds:
    """ "(0, 1]" -> (0.0, True, 1.0, False); "[0, inf)" -> (0.0, False, None, True)."""
    left, right = interval[0], interval[-1]
    low, high = (float(part) for part in interval[1:-1].split(","))
    if left not in "[(" or right not in "])" or not low <= high:
        raise ValueError(f"not an interval: {interval!r}")
    bounds = (
        None if low == -np.inf else low,
        left == "(",
        None if high == np.inf else high,
        right == ")",
    )
    _INTERVALS[interval] = bounds
    return bounds


def require_in(name: str, values: ArrayLike, interval: str) -> None:
    """Raise DomainError unless every non-NaN value lies in `interval`, written as in maths:
    "(0, inf)", "[0, 1]", "(0, 1]", "[1, inf)". Message: "thickness_um: expected a value in
    (0, inf), got -5.0 (at index 3)"."""
    low, low_open, high, high_open = _INTERVALS.get(interval) or _parse(interval)
    x = np.asarray(values)
    if x.ndim == 0:  # a scalar: plain comparisons, NaN compares False and passes
        lo = hi = float(x)
    elif x.size == 0:
        return
    else:  # the extremes; argmin/argmax return the first NaN if any, then fmin/fmax skip NaN
        lo = hi = 0.0
        if low is not None:
            lo = x.flat[x.argmin()]
            if lo != lo:
                lo = np.fmin.reduce(x, axis=None)  # NaN only if every value is NaN
        if high is not None:
            hi = x.flat[x.argmax()]
            if hi != hi:
                hi = np.fmax.reduce(x, axis=None)
    if (low is None or not (lo <= low if low_open else lo < low)) and (
        high is None or not (hi >= high if high_open else hi > high)
    ):
        return
    violated = np.zeros(x.shape, dtype=bool)
    if low is not None:
        violated |= x <= low if low_open else x < low
    if high is not None:
        violated |= x >= high if high_open else x > high
    raise DomainError(f"{name}: expected a value in {interval}, got {_offender(x, violated)}")


def require(name: str, values: ArrayLike, condition: str, violated: ArrayLike) -> None:
    """Raise DomainError where the mask `violated` is True, for conditions that are not an interval
    (a relation between arguments): require("temperature_2_k", t2, "a value != temperature_1_k",
    t2 == t1). Build `violated` so that NaN compares False (==, <=, ...) and passes."""
    bad = np.asarray(violated, dtype=bool)
    if bad.any():
        raise DomainError(f"{name}: expected {condition}, got {_offender(np.asarray(values), bad)}")


def require_choice(name: str, value: object, choices: Collection[str]) -> None:
    """Raise DomainError unless `value` is one of the option names `choices`."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise DomainError(f"{name}: expected one of {allowed}, got {value!r}")


def _offender(values: NDArray, violated: NDArray[np.bool_]) -> str:
    """The first offending value, with its index when there are several values (all of them when
    the condition is about the whole array, e.g. its shape)."""
    if violated.ndim == 0:
        return repr(float(values)) if values.ndim == 0 else repr(values.tolist())
    where = np.argwhere(violated)[0]
    value = float(np.broadcast_to(values, violated.shape)[tuple(where)])
    index = int(where[0]) if violated.ndim == 1 else tuple(int(i) for i in where)
    return f"{value!r} (at index {index})"
