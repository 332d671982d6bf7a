"""Loading a surrogate from a skops file without letting the file choose what code runs.

A skops file is a tree of nodes, each naming a type (or function) by module and name that loading
looks up and calls. skops trusts its own list of safe types; anything else must be named by the
caller. ssemo names exactly the types its own models are made of (`TRUSTED_TYPES`, generated from
what trained models of every estimator and option actually hold; tests/surrogates/
test_persistence.py keeps it honest), never a module prefix: a prefix such as `numpy.` also admits
`numpy.testing`'s helper that executes a string of code.

A model file is also checked against the SHA-256 recorded when it was registered, so a file changed
afterwards in the artifact store is refused before skops parses it. Once loaded, the fitted arrays
are checked before anything predicts (surrogates.integrity: tree indices in range, a proper tree,
shapes consistent, values finite): the allow-list admits the tree types, not what their arrays hold.
Any refusal is one `ModelRefusedError` line naming the model.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from objectives.errors import SsemoError
from surrogates.errors import ModelRefusedError

# Exactly the types outside skops' own trusted set that ssemo's conductivity surrogates contain
# (forest with mean / median / local-mean aggregation, quantile gradient boosting, Gaussian process;
# fraction or Magpie descriptors, with or without structure and context).
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "surrogates.model.ConductivitySurrogate",
        "surrogates.features.CompositionFeaturizer",
        "surrogates.domain.ApplicabilityDomain",
        "surrogates.estimators.ForestSurrogate",
        "surrogates.estimators.QuantileGBMSurrogate",
        "surrogates.estimators.GPSurrogate",
        "sklearn.tree._tree.Tree",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.gaussian_process.kernels.ConstantKernel",
        "sklearn.gaussian_process.kernels.Matern",
        "sklearn.gaussian_process.kernels.Product",
        "sklearn.gaussian_process.kernels.Sum",
        "sklearn.gaussian_process.kernels.WhiteKernel",
    }
)

MAX_MODEL_BYTES = 2 * 1024**3  # far above any surrogate trained on the literature tables


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_trusted(types: list[str], source: str = "model file") -> list[str]:
    """`types` (skops' untrusted types of a file) when every one is in TRUSTED_TYPES; else a
    ModelRefusedError naming the source and the types it asked for."""
    bad = sorted(set(types) - TRUSTED_TYPES)
    if bad:
        raise ModelRefusedError(
            f"{source}: refused, it asks for types outside ssemo's exact allow-list: {', '.join(bad)}"
        )
    return list(types)


def _untrusted_types(data: bytes, source: str) -> list[str]:
    import skops.io as sio

    try:
        return list(sio.get_untrusted_types(data=data))
    except Exception as exc:  # a torn zip, bad JSON, an unknown node: not a skops model file
        raise ModelRefusedError(
            f"{source}: refused, not a readable skops model file ({type(exc).__name__}: {exc})"
        ) from None


def load_model(path: str | Path, expected_sha256: str | None, source: str) -> Any:
    """The model in the skops file `path`, after checking its SHA-256 against `expected_sha256`
    (the one recorded at registration) and its types against TRUSTED_TYPES; the loaded model's
    fitted arrays are checked by surrogates.integrity.check_fitted_model before it is returned.

    The file is read once, so the bytes checked are the bytes loaded."""
    import skops.io as sio

    path = Path(path)
    if not expected_sha256:
        raise ModelRefusedError(
            f"{source}: refused, no SHA-256 was recorded for it at registration "
            "(register it with `ssemo train`)"
        )
    try:
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            raise ModelRefusedError(
                f"{source}: refused, {size} bytes is larger than {MAX_MODEL_BYTES}"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ModelRefusedError(f"{source}: cannot read {path} ({exc.strerror})") from None
    actual = sha256_bytes(data)
    if actual != expected_sha256:
        raise ModelRefusedError(
            f"{source}: refused, the file's SHA-256 {actual[:16]}... differs from the "
            f"{expected_sha256[:16]}... recorded at registration (changed after registration)"
        )
    trusted = check_trusted(_untrusted_types(data, source), source)
    try:
        model = sio.loads(data, trusted=trusted)
    except SsemoError:
        raise
    except Exception as exc:
        raise ModelRefusedError(
            f"{source}: refused, the model file does not load ({type(exc).__name__}: {exc})"
        ) from None
    from surrogates.integrity import check_fitted_model

    return check_fitted_model(model, source)
