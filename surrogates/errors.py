"""Errors that more than one surrogates module raises.

`ModelRefusedError` is raised both by loading (surrogates.persistence: unknown types, a changed
file, not a model) and by the check of a loaded model's fitted arrays (surrogates.integrity), which
loading calls: it lives here so that neither module imports the other for it.
"""

from objectives.errors import SsemoError


class ModelRefusedError(SsemoError):
    """A model file that ssemo will not load: unknown types, a changed file, or not a model."""
