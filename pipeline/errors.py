"""One root exception for user-facing errors; each message names the file, key or row at fault,
and a misspelled name gets the closest valid names suggested (`did_you_mean`).

SsemoError itself lives in objectives/errors.py, the lowest layer, so that the errors of
surrogates/ (DataError, FormulaError, StudyMismatchError) derive from it too; it is re-exported here.
"""

import difflib
from collections.abc import Iterable

from objectives.errors import SsemoError

__all__ = [
    "CatalogError",
    "ConfigError",
    "EnvironmentProblem",
    "InputError",
    "SsemoError",
    "did_you_mean",
]


class ConfigError(SsemoError):
    """A study config is invalid: message names the file, the key path, the value and what was expected."""


class CatalogError(SsemoError):
    """A catalog table is invalid: message lists every bad cell as file, row, column."""


class InputError(SsemoError):
    """A user input file (designs, predictions) cannot be read at all."""


class EnvironmentProblem(SsemoError):
    """The inputs are fine but the surroundings are not: a tracking server that does not answer, an
    output or state folder that cannot be written, a store another process keeps locked."""

    exit_code = 5


def did_you_mean(name: object, options: Iterable[object], n: int = 3) -> str:
    """The suffix " (did you mean 'a' or 'b'?)" naming up to n options close to a misspelled name
    (difflib's similarity ratio at least 0.6), or "" when none is close. Messages end with it."""
    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=n, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
