"""Li–Li distances from crystal structures (CIF), for the structure descriptors (issue 14, item 5).

Two numbers per structure, in Å, with periodic boundary conditions:

- `li_li_min_distance_a`: the shortest distance between two sites that carry Li (two different
  sites, or a site and a periodic image of itself);
- `li_li_nn_mean_distance_a`: the mean, over the sites that carry Li, of the distance from each to
  its nearest other Li-carrying site (itself in another cell included).

Partial occupancy and disorder: a site "carries Li" when Li is among its species, whatever its
occupancy (a Li0.5 site, a mixed Li/La site); distances are between site positions, so split or
partially occupied Li sites that no Li pair occupies at the same time still count. Such sites can lie
closer than any two Li atoms really do (well below 2 Å); the number is a geometric descriptor of the
Li sublattice as written in the CIF, not a jump distance. Positions within 0.001 Å of each other are
one site. Sites are those of pymatgen's CifParser (its default occupancy and site tolerances; sites
at the same position are merged into one site of mixed species).

OBELiX CIFs (`all_cifs.tar.gz`, `all_randomized_cifs/<ID>.cif`) are the upstream "randomized" CIFs:
random noise was added to the atomic positions (symmetry kept), because the original CIFs are
ICSD-derived and may not be redistributed (../shared/data/obelix/PROVENANCE.md). The distances here
carry that noise.

Missing path: a file that cannot be parsed, a structure without a Li site, or no Li neighbour within
MAX_DISTANCE_A gives NaN for both numbers; nothing raises. Reading is confined to the IDs a caller
allows: the OBELiX tarball also holds the CIFs of the test split, reserved for independent evaluation,
and read_cif_tarball never extracts or parses a member whose ID is not in `allowed_ids`.
"""

from __future__ import annotations

import io
import math
import tarfile
import time
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np

LI_LI_COLUMNS = ("li_li_min_distance_a", "li_li_nn_mean_distance_a")
# a Li–Li distance a table may carry: finite and in (0, MAX_DISTANCE_A) Å
MAX_DISTANCE_A = 20.0
SAME_POSITION_A = 1e-3
MAX_CIF_BYTES = 5_000_000  # a CIF larger than this is not read (missing): bounds the parse time
MAX_SITES = 5_000  # nor a structure with more sites (distance search time)
NAN_PAIR = (math.nan, math.nan)


def li_li_distances(structure) -> tuple[float, float]:
    """(shortest Li–Li site distance, mean nearest Li–Li site distance) of a pymatgen Structure, Å;
    NaN, NaN without a Li-carrying site or without a Li neighbour within MAX_DISTANCE_A."""
    li = [
        i
        for i, site in enumerate(structure)
        if any(getattr(sp, "symbol", None) == "Li" for sp in site.species.elements)
    ]
    if not li or len(structure) > MAX_SITES:
        return NAN_PAIR
    li_set = set(li)
    nearest = np.full(len(li), np.inf)
    radius = 6.0
    while True:
        centers, neighbors, _, distances = structure.get_neighbor_list(
            radius, sites=[structure[i] for i in li]
        )
        nearest[:] = np.inf
        for c, n, d in zip(centers, neighbors, distances, strict=True):
            if int(n) in li_set and d > SAME_POSITION_A:
                k = int(c)
                nearest[k] = min(nearest[k], float(d))
        if np.isfinite(nearest).all() or radius >= MAX_DISTANCE_A:
            break
        radius = min(2.0 * radius, MAX_DISTANCE_A)
    found = nearest[np.isfinite(nearest) & (nearest < MAX_DISTANCE_A)]
    if len(found) < len(li):
        return NAN_PAIR
    return float(found.min()), float(found.mean())


def cif_li_li_distances(text: str) -> tuple[float, float]:
    """li_li_distances of the first structure in a CIF text; NaN, NaN when it cannot be parsed."""
    try:
        from pymatgen.io.cif import CifParser

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pymatgen warns about occupancies, rounding, ...
            structures = CifParser(io.StringIO(text)).parse_structures(primitive=False)
        if not structures:
            return NAN_PAIR
        return li_li_distances(structures[0])
    except Exception:  # any unreadable CIF is a missing value, never a crash
        return NAN_PAIR


def _member_id(name: str) -> str | None:
    """`all_randomized_cifs/abc.cif` -> 'abc'; None for anything that is not a .cif file."""
    base = name.rsplit("/", 1)[-1]
    return base[: -len(".cif")] if base.endswith(".cif") and len(base) > 4 else None


def read_cif_tarball(
    path: str | Path, allowed_ids: Iterable[str], max_seconds: float = 120.0
) -> dict[str, tuple[float, float]]:
    """{ID: (li_li_min_distance_a, li_li_nn_mean_distance_a)} for the CIFs in a tarball whose ID is in
    `allowed_ids`; members of other IDs are skipped without being extracted or parsed (the stream
    passes them by). IDs past `max_seconds` of total time, unreadable files and those without Li get
    NaN, as do allowed IDs without a CIF (absent from the result: the caller's missing path)."""
    allowed = {str(i) for i in allowed_ids}
    out: dict[str, tuple[float, float]] = {}
    if not allowed:
        return out
    start = time.monotonic()
    try:
        archive = tarfile.open(path, "r:*")
    except (OSError, tarfile.TarError):
        return out
    with archive:
        try:
            for member in archive:
                cif_id = _member_id(member.name)
                if cif_id is None or cif_id not in allowed or not member.isfile():
                    continue
                if time.monotonic() - start > max_seconds or member.size > MAX_CIF_BYTES:
                    out[cif_id] = NAN_PAIR
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    out[cif_id] = NAN_PAIR
                    continue
                text = handle.read().decode("utf-8", errors="replace")
                out[cif_id] = cif_li_li_distances(text)
        except (OSError, tarfile.TarError, EOFError):
            pass  # a truncated archive: what was read stays, the rest is missing
    return out
