"""The root of ssemo's user-facing exceptions.

It lives in the lowest layer, which imports nothing of the others, so that objectives/, surrogates/
and pipeline/ can all derive their errors from it: one `except SsemoError` (the CLI's) reports any
of them as a message and an exit code instead of a traceback.
"""


class SsemoError(Exception):
    """Root of every error ssemo reports to a user: the CLI prints the message and exits with
    `exit_code` (2: invalid config, catalog, input file or data; subclasses may say otherwise)."""

    exit_code = 2


class DomainError(SsemoError, ValueError):
    """A physics function got an input outside its documented domain (a negative thickness, a
    relative density above 1, a temperature at or below 0 K) or an unknown option name.

    A ValueError too, so callers that expect numpy-style argument errors catch it."""
