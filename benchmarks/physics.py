"""Throughput of the physics objectives: all objectives and constraints of the default study.

One core, batches of 1e5 valid designs, median of several repeats. `designs_per_s`: the columns a
search generation reads (the default study's objectives and constraints, StudyModel.search_columns:
`outputs_per_design`), written into reused buffers; every column is computed either way.
`designs_per_s_every_column`: the same with every intermediate a report tables as well
(`outputs_per_design_every_column`): the extra cost is writing them out of each chunk. The peer measured in the same run
is one plain numpy pass over the batch (a fused multiply-add over two float arrays of the same size):
`evaluation_cost_in_numpy_passes` says how many such passes an evaluation costs.
Target (issue 2): designs_per_s >= 5e6 (the objectives and constraints).
Three-layer stacks (issue 25 item 4, pipeline/study/stacks.py): the same protocol on 1e5 stacks of
three present layers, each made by a process that makes its material; target
designs_per_s_three_layer >= 1e6.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # one core, as the target is stated

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import median_seconds, write_result
from pipeline.study.catalog import load_catalog
from pipeline.study.config import load_config
from pipeline.study.evaluation import DesignBatch, Evaluator
from pipeline.study.problem import StudyModel
from pipeline.study.stacks import StackBatch, StackEvaluator

BATCH = 100_000
REPEATS = 9


def valid_batch(catalog, n: int, seed: int = 0) -> DesignBatch:
    rng = np.random.default_rng(seed)
    applies = catalog.process_applies()
    coating_applies = catalog.coating_applies()
    material = rng.integers(0, len(catalog.material_ids), n)
    process = np.empty(n, dtype=np.intp)
    coating = np.empty(n, dtype=np.intp)
    for i in range(len(catalog.material_ids)):
        rows = material == i
        process[rows] = rng.choice(np.flatnonzero(applies[i]), rows.sum())
        coating[rows] = rng.choice(np.flatnonzero(coating_applies[:, i]), rows.sum())
    templates = (catalog.materials["temperature_law"] == "composite").to_numpy()
    phi = np.where(templates[material], rng.uniform(0, 0.6, n), 0.0)
    return DesignBatch(
        material, process, coating, rng.uniform(0.5, 200, n), rng.uniform(0.6, 1.0, n), phi
    )


def valid_three_layer_batch(catalog, n: int, seed: int = 1) -> StackBatch:
    """n stacks of three present layers; each layer's process makes its material
    (catalog.process_applies()), plain materials (composite templates need a filler fraction)."""
    rng = np.random.default_rng(seed)
    applies = catalog.process_applies()
    plain = np.flatnonzero(~catalog.is_composite_template())
    material = rng.choice(plain, (n, 3))
    process = np.empty((n, 3), dtype=np.intp)
    for i in plain:
        rows = material == i
        process[rows] = rng.choice(np.flatnonzero(applies[i]), rows.sum())
    return StackBatch(
        material=material,
        process=process,
        thickness_um=rng.uniform(0.5, 100, (n, 3)),
        relative_density=rng.uniform(0.6, 1.0, (n, 3)),
    )


def main() -> None:
    config = load_config(Path(__file__).resolve().parents[1] / "configs" / "default.yaml")
    catalog = load_catalog(config.catalog_dir())
    evaluator = Evaluator(catalog, config)
    columns = StudyModel(catalog, config).search_columns
    batch = valid_batch(catalog, BATCH)
    with np.errstate(divide="ignore", invalid="ignore"):
        # an optimizer reuses its result buffers every generation
        buffers = evaluator(batch, columns=columns)
        seconds = median_seconds(
            lambda: evaluator(batch, out=buffers, columns=columns), repeats=REPEATS
        )
        fresh = median_seconds(lambda: evaluator(batch, columns=columns), repeats=REPEATS)
        every = evaluator(batch)
        every_seconds = median_seconds(lambda: evaluator(batch, out=every), repeats=REPEATS)
    stacks = StackEvaluator(evaluator)
    stack_batch = valid_three_layer_batch(catalog, BATCH)
    with np.errstate(divide="ignore", invalid="ignore"):
        stack_buffers = stacks(stack_batch)  # reused every generation, as the monolayer's
        stack_seconds = median_seconds(
            lambda: stacks(stack_batch, out=stack_buffers), repeats=REPEATS
        )
        stack_fresh = median_seconds(lambda: stacks(stack_batch), repeats=REPEATS)
    a, b = batch.thickness_um, batch.relative_density
    numpy_pass = median_seconds(lambda: a * b + a, repeats=REPEATS)
    write_result(
        "physics",
        {
            "designs_per_s": BATCH / seconds,
            "batch": BATCH,
            "repeats": REPEATS,
            "evaluation_s": seconds,
            "designs_per_s_fresh_buffers": BATCH / fresh,
            "numpy_pass_s": numpy_pass,
            "evaluation_cost_in_numpy_passes": seconds / numpy_pass,
            "target_designs_per_s": 5e6,
            "meets_target": BATCH / seconds >= 5e6,
            "outputs_per_design": len(buffers),
            "designs_per_s_every_column": BATCH / every_seconds,
            "evaluation_s_every_column": every_seconds,
            "outputs_per_design_every_column": len(every),
            "designs_per_s_three_layer": BATCH / stack_seconds,
            "evaluation_s_three_layer": stack_seconds,
            "designs_per_s_three_layer_fresh_buffers": BATCH / stack_fresh,
            "outputs_per_three_layer_design": len(stack_buffers),
            "target_designs_per_s_three_layer": 1e6,
            "meets_target_three_layer": BATCH / stack_seconds >= 1e6,
        },
    )


if __name__ == "__main__":
    main()
