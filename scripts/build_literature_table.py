"""Build configs/data/literature_conductivity.csv.gz, the training table ssemo ships.

Rows of the permissively licensed datasets in ../shared/data (this copy already excludes the rows
reserved for evaluation: the OBELiX test split and rows matching it), read by ssemo's own loaders and
written in its schema (composition, temperature, log10 σ, censoring, source DOI, structure columns),
gzip-compressed: a conversion, not a copy of the original files.

- OBELiX training split (CC BY 4.0): Therrien et al., Digital Discovery 2026, doi:10.1039/D5DD00441A;
  with Li–Li distances derived from its randomized CIFs (training IDs only; surrogates.structure),
  NaN for rows without a CIF or a Li site and for the other datasets
- McHaffie et al. 2025 (CC0), rows measured at room temperature: doi:10.1039/D5DD00052A
- Kang, Kim, Min 2023 (MIT repository copy), Li conductors: doi:10.1021/acs.jpcc.3c02908

Not included: Bradford 2023 (MIT) polymer electrolytes: its polymer + salt pseudo-compositions
(thousands of rows at many temperatures) are a different chemistry from the inorganic membranes the
default model serves, and would dominate its training time; `train_full.yaml` reads it from
../shared/data. Liverpool Ionics (academic-use licence) and Laskowski 2023 (no licence stated) never
enter the repository.

Usage: .venv/bin/python scripts/build_literature_table.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from surrogates import datasets

ROOT = Path(__file__).resolve().parents[1]

OUT = ROOT / "configs" / "data" / "literature_conductivity.csv.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    parts = [
        datasets.load_obelix(args.shared / "obelix"),
        datasets.load_mchaffie(args.shared / "mchaffie2025" / "ionic_conductivity_database.csv"),
        datasets.load_kang(
            args.shared / "kang2023_sse_328" / "Ionic_conductivity_training_dataset.csv"
        ),
    ]
    rows = pd.concat([p.rows for p in parts], ignore_index=True)
    rows = rows[[*datasets.SCHEMA, *datasets.EXTRA]].drop(columns="formula_key")
    rows = rows.assign(formula_key="")[[*datasets.SCHEMA, *datasets.EXTRA]]
    # gzip with a fixed mtime: the same input gives the same bytes
    rows.to_csv(OUT, index=False, compression={"method": "gzip", "mtime": 0}, float_format="%.10g")
    counts = rows["dataset"].value_counts().to_dict()
    rejected = {p.rows["dataset"].iloc[0] if len(p.rows) else "?": len(p.rejects) for p in parts}
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes): {counts}; rejected by the loaders {rejected}")


if __name__ == "__main__":
    main()
