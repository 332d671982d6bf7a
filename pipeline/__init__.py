"""ssemo pipeline: composes the catalog, the physics objectives and (later) surrogates and search."""

__version__ = "0.1.0"
