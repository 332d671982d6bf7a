"""Search checkpoints: arrays and JSON in one NumPy .npz file (no pickle), replaced atomically.

After every generation the search state — population, its ranks and crowding, the archive, the
history and the random generator's full state — is written to `<dir>/checkpoint.npz` with
pipeline.files.atomic_write (a temporary file, fsync, os.replace), so a crash or `kill -9` leaves
either the previous or the new checkpoint, never a torn one. Loading uses allow_pickle=False.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.files import atomic_write

FORMAT_VERSION = 1


class Checkpoint:
    def __init__(self, directory: str | Path, key: str = ""):
        self.directory = Path(directory)
        self.key = key  # identity of the study being checkpointed; a mismatch is not resumed
        self.path = self.directory / "checkpoint.npz"

    def save(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
        payload = json.dumps({**meta, "format_version": FORMAT_VERSION, "key": self.key}).encode()
        contents = {"__meta__": np.frombuffer(payload, dtype=np.uint8), **arrays}

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as fh:  # a file object: np.savez would add .npz to a bare name
                np.savez(fh, **contents)  # type: ignore[arg-type]  # numpy stubs: allow_pickle kw clash

        atomic_write(self.path, write)

    def load(self) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
        if not self.path.exists():
            return None
        with np.load(self.path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["__meta__"]).decode())
            arrays = {k: data[k] for k in data.files if k != "__meta__"}
        if meta.get("format_version") != FORMAT_VERSION or meta.get("key") != self.key:
            return None
        return arrays, meta

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
