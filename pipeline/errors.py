"""One root exception for user-facing errors; each message names the file, key or row at fault.

SsemoError itself lives in objectives/errors.py, the lowest layer, so that the errors of
surrogates/ (DataError, FormulaError, StudyMismatchError) derive from it too; it is re-exported here.
"""

from objectives.errors import SsemoError

__all__ = ["CatalogError", "ConfigError", "InputError", "SsemoError"]


class ConfigError(SsemoError):
    """A study config is invalid: message names the file, the key path, the value and what was expected."""


class CatalogError(SsemoError):
    """A catalog table is invalid: message lists every bad cell as file, row, column."""


class InputError(SsemoError):
    """A user input file (designs, predictions) cannot be read at all."""
