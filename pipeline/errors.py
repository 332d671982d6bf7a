"""One root exception for user-facing errors; each message names the file, key or row at fault."""


class SsemoError(Exception):
    """Root of every error ssemo reports to a user (CLI prints it and exits with code 2)."""

    exit_code = 2


class ConfigError(SsemoError):
    """A study config is invalid: message names the file, the key path, the value and what was expected."""


class CatalogError(SsemoError):
    """A catalog table is invalid: message lists every bad cell as file, row, column."""


class InputError(SsemoError):
    """A user input file (designs, predictions) cannot be read at all."""
