"""Closed-loop campaign: how many experiments ssemo's suggestions need to find a top conductor.

A simulated campaign with literature data as the oracle (the 'lab'):
- Pool: per seed, `--pool` (300) distinct compositions drawn from Laskowski et al., Energy Environ.
  Sci. 16, 1264 (2023), doi:10.1039/D2EE03499A (room-temperature σ; ../shared/data, read in place,
  never copied), measured (uncensored) rows, duplicates merged to their median. Compositions of the
  OBELiX test split are left out of the pool (only that split's composition column is read, never
  its labels: Laskowski is one of OBELiX's sources, so its values for those compositions would be
  the reserved labels).
- Start: 10 random compositions of the pool (none of its top 1 %) are 'measured'. Each round a
  method chooses a batch of 8 from the unmeasured pool, their measured σ is revealed, its model is
  refitted. Top 1 %: the ceil(1 % of the pool) highest-σ compositions (3 of 300).
- `experiments_to_top1pct_<method>`: experiments (seed set + batches, counted at the end of the
  batch) until a top-1 % composition is measured; median over `--seeds` (10) seeds. A method that
  has not found one after `--rounds` batches is counted at the budget and reported as censored.
- Methods, on the same pools and seed sets:
  ssemo:   the surrogate (ssemo's ConductivitySurrogate, prior = the data `make run` trains on,
           configs/train_default.yaml, with the pool's compositions removed, plus the revealed pool
           rows), acquisition = ssemo suggest's rule (pipeline.campaign.acquisition.greedy_batch):
           each candidate material is the set of membrane designs it makes at `THICKNESSES`, the
           objectives are thickness and total ASR = L/σ + R_INTERFACE, its log10 σ is drawn 32 times
           from Normal(mean, std) of the surrogate, jointly across compositions with suggest's
           correlation model (exp(-d²/2ℓ²) over atom-fraction distance, ℓ = 0.015), Monte-Carlo
           EHVI, Kriging-believer batch conditioning correlated neighbours on each choice.
  greedy:  the same surrogate, the 8 highest predicted means.
  gp_ei:   scikit-learn GaussianProcessRegressor (Constant x Matern 5/2 + White, normalize_y,
           isotropic length scale) on the same element-property (Magpie) features, standardized,
           fitted to the campaign's measurements only (the default recipe of BO tools: no prior
           data), expected improvement (xi = 0.01) on log10 σ, Kriging-believer batch of 8.
  random:  8 uniformly random compositions (run to the end of the pool: no censoring).
- A batch is a batch (issue 24, item 5): per seed, at the first batch (surrogate fitted on the seed
  set), the joint value (q-EHVI: E[hypervolume the batch adds as one set], acquisition.batch_value)
  of three batches of 8 from the same candidates: ssemo's (correlated draws, conditioning believer),
  the plain believer's (independent draws per composition, the rule before item 5) and the
  greedy-repeated batch (the 8 best single-point acquisitions, chosen without regard to each
  other). Values are integrated over `VALUE_SAMPLES` fresh joint draws (another seed than the ones
  the batches were chosen with), with the correlation model, and a second time with independent
  draws (`*_independent_draws`: the same batches valued as if compositions were uncorrelated);
  `greedy_repeated_loss_fraction` = 1 − greedy-repeated / ssemo (median over seeds), with the
  number of distinct chemical systems (element sets) per batch and its largest within-batch
  correlation.
- Multi-objective variant: hypervolume of the thickness/ASR designs built from the measured
  materials (the same designs and normalization as the ssemo acquisition), after
  `MO_EXPERIMENTS` experiments, as a fraction of the pool's best (every material measured); and
  the same with a thin-membrane normalization (THIN_BOUNDS, reporting only: see there).

Cheaper than the shipped model, to keep the wall time to minutes on 2 cores (stated in the JSON):
the surrogate's forests have 32 trees for both σ and Ea (the model's default is 300; the
fixed recipe `make run` trains, train_default.yaml, uses 100); 32 conductivity draws per
candidate (suggest's default is 64); 2**12 quasi-Monte-Carlo points.

Honesty: the acquisition rule (ssemo suggest's EHVI x feasibility with the Kriging believer), its
designs (8 thicknesses 5-200 µm, R_INTERFACE 5 Ω cm² — an assumption, a typical coated-interface
value — and normalization bounds 200 µm / 100 Ω cm²) and every setting above were fixed before the
first campaign was run and were not changed after seeing results; the campaign is not used to tune
anything. Whatever the numbers are, they are reported.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks._common import write_result
from pipeline.campaign.acquisition import batch_value, greedy_batch
from pipeline.campaign.suggest import greedy_repeated, loss_fraction
from pipeline.search.nsga2 import hypervolume
from pipeline.study.compositions import (
    CORRELATION_LENGTH,
    correlation_of,
    fraction_vectors,
    joint_normal,
)
from pipeline.study.config import load_train_config
from pipeline.training import features_frame, load_training_data
from surrogates import datasets
from surrogates.chemistry import composition_key, parse_formula

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
BATCH = 8
SEED_SET = 10
THICKNESSES = np.geomspace(5.0, 200.0, 8)  # µm
R_INTERFACE = 5.0  # Ω cm², assumption (see the docstring)
BOUNDS = ((0.0, 200.0), (0.0, 100.0))  # thickness µm, ASR Ω cm²: normalization
SAMPLES = 32
POINTS = 1 << 12
TREES = 32
MO_EXPERIMENTS = 42  # seed set + 4 batches
# A second, reporting-only normalization for thin membranes (≤ 50 µm, ASR ≤ 20 Ω cm²), added after
# the first (one-seed) run showed that BOUNDS saturate: every method's hypervolume was ≥ 0.999 of the
# pool's best from the seed set on. The acquisition still uses BOUNDS (not changed).
THIN_BOUNDS = ((0.0, 50.0), (0.0, 20.0))
VALUE_SAMPLES = 256  # fresh joint draws that value the first batches (issue 24, item 5)


def composition_correlation(vectors: np.ndarray, length: float = CORRELATION_LENGTH) -> np.ndarray:
    """suggest's correlation model over atom-fraction vectors (rows); identity for length 0."""
    return correlation_of(vectors, length) if length > 0 else np.eye(len(vectors))


def designs_normalized(log10_sigma: np.ndarray, bounds=BOUNDS) -> np.ndarray:
    """(..., K, 2) normalized (thickness, ASR) of each material's designs at THICKNESSES."""
    sigma = 10.0 ** np.asarray(log10_sigma, float)[..., None]
    asr = THICKNESSES * 1e-4 / sigma + R_INTERFACE
    t = np.broadcast_to(THICKNESSES, asr.shape)
    return np.stack(
        [
            (t - bounds[0][0]) / (bounds[0][1] - bounds[0][0]),
            (asr - bounds[1][0]) / (bounds[1][1] - bounds[1][0]),
        ],
        axis=-1,
    )


def front_hv(log10_sigma: np.ndarray, bounds=BOUNDS) -> float:
    if not len(log10_sigma):
        return 0.0
    return hypervolume(designs_normalized(np.asarray(log10_sigma), bounds).reshape(-1, 2))


def load_pool_source(shared: Path) -> pd.DataFrame:
    rows = datasets.load_laskowski(shared / "laskowski2023" / "laskowski_with_dois.csv").rows
    rows = rows[~rows["censored"]]
    merged = (
        rows.groupby("formula_key", sort=True)
        .agg(composition=("composition", "first"), log10_sigma=("log10_sigma", "median"))
        .reset_index()
    )
    test_keys = obelix_test_compositions(shared / "obelix")
    return merged[~merged["formula_key"].isin(test_keys)].reset_index(drop=True)


def obelix_test_compositions(folder: Path) -> set[str]:
    """Formula keys of the OBELiX test split: its composition column only, never its labels."""
    ids = set(pd.read_csv(folder / "test_idx.csv")["ID"].astype(str))
    table = pd.read_csv(folder / "all.csv", usecols=["ID", "Reduced Composition"], dtype=str)
    keys = set()
    for formula in table.loc[table["ID"].isin(ids), "Reduced Composition"].dropna():
        try:
            keys.add(composition_key(parse_formula(formula)))
        except Exception:
            continue
    return keys


class Surrogate:
    """ssemo's model, refitted on prior + revealed rows each round (cheap configuration)."""

    def __init__(self, prior: pd.DataFrame, seed: int):
        self.prior, self.seed = prior, seed

    def fit_predict(self, revealed: pd.DataFrame, query: pd.DataFrame):
        from surrogates.model import ConductivitySurrogate

        rows = pd.concat([self.prior, revealed], ignore_index=True)
        model = ConductivitySurrogate(
            model_params={"n_estimators": TREES},
            ea_params={"n_estimators": TREES},
            random_state=self.seed,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(
                features_frame(rows),
                rows["log10_sigma"].to_numpy(float),
                groups=rows["formula_key"].to_numpy(),
            )
            table = model.predict_table(query)
        return table["log10_sigma_mean"].to_numpy(float), table["log10_sigma_std"].to_numpy(float)


def revealed_rows(pool: pd.DataFrame, idx: list[int]) -> pd.DataFrame:
    part = pool.iloc[idx]
    return pd.DataFrame(
        {
            "composition": part["composition"].to_numpy(),
            "formula_key": part["formula_key"].to_numpy(),
            "temperature_k": datasets.ROOM_TEMPERATURE_K,
            "log10_sigma": part["log10_sigma"].to_numpy(float),
            "censored": False,
            "dataset": "campaign",
        }
    )


def ssemo_batch(mean, std, candidates, seed, front_sigma, vectors, length=CORRELATION_LENGTH):
    """ssemo suggest's rule on the candidates: (batch rows of candidates, the BatchChoice)."""
    rng = np.random.default_rng(seed)
    correlation = composition_correlation(vectors[candidates], length)
    z = joint_normal(rng, correlation, SAMPLES)
    mu, sd = mean[candidates], std[candidates]
    samples = designs_normalized(mu[None, :] + sd[None, :] * z)  # (S, N, K, 2)
    m = designs_normalized(mu)
    front = designs_normalized(np.asarray(front_sigma)).reshape(-1, 2)

    def redraw(rows, z_rows):
        return designs_normalized(mu[rows][None, :] + sd[rows][None, :] * z_rows), np.ones(
            z_rows.shape, bool
        )

    correlated = length > 0
    choice = greedy_batch(
        samples,
        np.ones((SAMPLES, len(candidates)), bool),
        m,
        np.ones(len(candidates), bool),
        np.arange(len(candidates)),
        front,
        BATCH,
        n_points=POINTS,
        seed=seed,
        correlation=correlation if correlated else None,
        z=z if correlated else None,
        redraw=redraw if correlated else None,
    )
    return choice.index, choice


def choose_ssemo(mean, std, candidates, seed, front_sigma, vectors) -> list[int]:
    index, _ = ssemo_batch(mean, std, candidates, seed, front_sigma, vectors)
    picked = [int(candidates[i]) for i in index]
    if len(picked) < BATCH:  # no expected improvement left: fill by predicted mean
        rest = [int(c) for c in candidates[np.argsort(-mean[candidates])] if c not in picked]
        picked += rest[: BATCH - len(picked)]
    return picked


def first_batch_values(pool, start, surrogate, seed, vectors) -> dict:
    """The joint value of ssemo's, the plain believer's and the greedy-repeated first batch."""
    y = pool["log10_sigma"].to_numpy(float)
    query = pd.DataFrame({"composition": pool["composition"], "temperature_k": 298.15})
    mean, std = surrogate.fit_predict(revealed_rows(pool, list(start)), query)
    candidates = np.setdiff1d(np.arange(len(pool)), list(start))
    joint, choice = ssemo_batch(mean, std, candidates, seed, y[start], vectors)
    plain, _ = ssemo_batch(mean, std, candidates, seed, y[start], vectors, length=0.0)
    batches = {
        "joint": joint,
        "believer_independent": plain,
        "greedy_repeated": greedy_repeated(choice.acquisition_all, BATCH),
    }
    mu, sd = mean[candidates], std[candidates]
    out: dict[str, float] = {}
    for label, length, bounds in (
        ("", CORRELATION_LENGTH, BOUNDS),
        ("_independent_draws", 0.0, BOUNDS),
        ("_thin", CORRELATION_LENGTH, THIN_BOUNDS),
    ):
        front = designs_normalized(y[start], bounds).reshape(-1, 2)
        correlation = composition_correlation(vectors[candidates], length)
        z = joint_normal(np.random.default_rng(10_000 + seed), correlation, VALUE_SAMPLES)
        samples = designs_normalized(mu[None, :] + sd[None, :] * z, bounds)
        ok = np.ones((VALUE_SAMPLES, len(candidates)), bool)
        lower = np.zeros(2)  # one integration box for every batch and draw set
        for name, rows in batches.items():
            out[f"batch_value_{name}{label}"] = batch_value(
                samples, ok, rows, front, n_points=POINTS, seed=seed, lower=lower
            )
    correlation = composition_correlation(vectors[candidates])
    systems = pool["composition"].map(chemical_system).to_numpy()
    for name, rows in batches.items():
        block = correlation[np.ix_(rows, rows)] - np.eye(len(rows))
        out[f"max_within_batch_correlation_{name}"] = float(block.max()) if len(rows) > 1 else 0.0
        out[f"distinct_chemical_systems_{name}"] = len(set(systems[candidates[rows]]))
        out[f"distinct_compositions_{name}"] = len(set(rows.tolist()))
    return out


def chemical_system(formula: str) -> str:
    try:
        return "-".join(sorted(parse_formula(formula)))
    except Exception:
        return formula


def choose_greedy(mean, candidates) -> list[int]:
    return [int(c) for c in candidates[np.argsort(-mean[candidates], kind="stable")[:BATCH]]]


def choose_gp_ei(features, y_known, known, candidates, seed) -> list[int]:
    from scipy.stats import norm
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    kernel = ConstantKernel(1.0) * Matern(
        length_scale=math.sqrt(features.shape[1]), nu=2.5
    ) + WhiteKernel(0.1)
    X, y = features[known], np.asarray(y_known, float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gp = GaussianProcessRegressor(
            kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed
        ).fit(X, y)
    picked: list[int] = []
    remaining = list(candidates)
    for _ in range(BATCH):
        mu, sd = gp.predict(features[remaining], return_std=True)
        best = float(y.max())
        sd = np.maximum(sd, 1e-9)
        u = (mu - best - 0.01) / sd
        ei = (mu - best - 0.01) * norm.cdf(u) + sd * norm.pdf(u)
        j = int(np.argmax(ei))
        i = remaining.pop(j)
        picked.append(i)
        # Kriging believer: the believed value joins the data, hyperparameters kept
        X = np.vstack([X, features[i]])
        y = np.append(y, mu[j])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gp = GaussianProcessRegressor(gp.kernel_, normalize_y=True, optimizer=None).fit(X, y)
    return picked


def pool_features(pool: pd.DataFrame) -> np.ndarray:
    from sklearn.preprocessing import StandardScaler

    from surrogates.features import CompositionFeaturizer

    frame = pd.DataFrame({"composition": pool["composition"]})
    F = CompositionFeaturizer(structure=False).fit(frame).transform(frame)
    F = F[:, np.nanstd(F, axis=0) > 0]
    return StandardScaler().fit_transform(np.nan_to_num(F))


def campaign(method: str, pool, start, top, rounds, seed, surrogate, features, vectors) -> dict:
    """One method on one pool: best-so-far per batch, experiments to the top 1 %, HV curve."""
    y = pool["log10_sigma"].to_numpy(float)
    known = list(start)
    rng = np.random.default_rng(seed + 1)
    query = pd.DataFrame({"composition": pool["composition"], "temperature_k": 298.15})
    found_at = SEED_SET if set(known) & top else None
    best, hv = [float(y[known].max())], [front_hv(y[known])]
    hv_thin = [front_hv(y[known], THIN_BOUNDS)]
    limit = rounds if method != "random" else math.ceil((len(pool) - SEED_SET) / BATCH)
    for _ in range(limit):
        if found_at is not None and len(known) >= MO_EXPERIMENTS and method != "random":
            break
        candidates = np.setdiff1d(np.arange(len(pool)), known)
        if not len(candidates):
            break
        if method == "random":
            batch = [int(c) for c in rng.choice(candidates, min(BATCH, len(candidates)), False)]
        elif method == "gp_ei":
            batch = choose_gp_ei(features, y[known], known, candidates, seed)
        else:
            mean, std = surrogate.fit_predict(revealed_rows(pool, known), query)
            if method == "greedy":
                batch = choose_greedy(mean, candidates)
            else:
                batch = choose_ssemo(mean, std, candidates, seed, y[known], vectors)
        known += batch
        best.append(float(y[known].max()))
        hv.append(front_hv(y[known]))
        hv_thin.append(front_hv(y[known], THIN_BOUNDS))
        if found_at is None and set(batch) & top:
            found_at = len(known)
    censored = found_at is None
    return {
        "experiments": found_at if found_at is not None else SEED_SET + BATCH * rounds,
        "censored": censored,
        "best": best,
        "hv": hv,
        "hv_thin": hv_thin,
    }


def _curve(runs: list[dict], key: str, n: int) -> list[float]:
    """Median over seeds per batch; a run that stopped early keeps its last value."""
    out = []
    for k in range(n):
        out.append(float(np.median([r[key][min(k, len(r[key]) - 1)] for r in runs])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--pool", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=8, help="batch budget per campaign")
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument(
        "--methods", default="ssemo,greedy,gp_ei,random", help="comma-separated subset"
    )
    args = parser.parse_args()
    methods = args.methods.split(",")
    started = time.perf_counter()
    source = load_pool_source(args.shared)
    prior_all = load_training_data(load_train_config(ROOT / "configs" / "train_default.yaml")).rows
    runs: dict[str, list[dict]] = {m: [] for m in methods}
    pools_top = []
    first_batches: list[dict] = []
    for seed in range(args.seeds):
        rng = np.random.default_rng(1000 + seed)
        pool = source.iloc[np.sort(rng.choice(len(source), args.pool, replace=False))]
        pool = pool.reset_index(drop=True)
        y = pool["log10_sigma"].to_numpy(float)
        n_top = max(1, math.ceil(0.01 * len(pool)))
        top = set(np.argsort(-y, kind="stable")[:n_top].tolist())
        pools_top.append(float(np.sort(y)[-n_top]))
        start = rng.choice(np.setdiff1d(np.arange(len(pool)), list(top)), SEED_SET, replace=False)
        prior = prior_all[~prior_all["formula_key"].isin(set(pool["formula_key"]))]
        surrogate = Surrogate(prior.reset_index(drop=True), seed)
        features = pool_features(pool) if "gp_ei" in methods else None
        vectors = np.nan_to_num(fraction_vectors(list(pool["composition"]))[0])
        if "ssemo" in methods:
            t = time.perf_counter()
            first_batches.append(first_batch_values(pool, start, surrogate, seed, vectors))
            fb = first_batches[-1]
            print(
                f"seed {seed}: first batch value ssemo {fb['batch_value_joint']:.4g}, plain "
                f"believer {fb['batch_value_believer_independent']:.4g}, greedy-repeated "
                f"{fb['batch_value_greedy_repeated']:.4g} ({time.perf_counter() - t:.1f} s)",
                flush=True,
            )
        for m in methods:
            t = time.perf_counter()
            r = campaign(m, pool, list(start), top, args.rounds, seed, surrogate, features, vectors)
            r["wall_s"] = time.perf_counter() - t
            r["pool_best_hv"] = front_hv(y)
            r["pool_best_hv_thin"] = front_hv(y, THIN_BOUNDS)
            runs[m].append(r)
            print(
                f"seed {seed}: {m:7s} top-1% after {r['experiments']}{'+' if r['censored'] else ''} "
                f"experiments ({r['wall_s']:.1f} s)",
                flush=True,
            )
    n_curve = args.rounds + 1
    mo_index = (MO_EXPERIMENTS - SEED_SET) // BATCH
    figures: dict[str, object] = {}
    for m in methods:
        exps = [r["experiments"] for r in runs[m]]
        figures[f"experiments_to_top1pct_{m}"] = float(np.median(exps))
        figures[f"experiments_to_top1pct_{m}_per_seed"] = exps
        figures[f"censored_{m}"] = int(sum(r["censored"] for r in runs[m]))
    for m in methods:
        figures[f"best_so_far_log10_sigma_{m}"] = _curve(runs[m], "best", n_curve)
        figures[f"hv_fraction_{m}"] = [
            float(
                np.median([r["hv"][min(k, len(r["hv"]) - 1)] / r["pool_best_hv"] for r in runs[m]])
            )
            for k in range(n_curve)
        ]
        figures[f"hv_fraction_after_{MO_EXPERIMENTS}_experiments_{m}"] = float(
            np.median(
                [r["hv"][min(mo_index, len(r["hv"]) - 1)] / r["pool_best_hv"] for r in runs[m]]
            )
        )
        figures[f"hv_thin_fraction_{m}"] = [
            float(
                np.median(
                    [
                        r["hv_thin"][min(k, len(r["hv_thin"]) - 1)] / r["pool_best_hv_thin"]
                        for r in runs[m]
                    ]
                )
            )
            for k in range(n_curve)
        ]
        thin = figures[f"hv_thin_fraction_{m}"]
        assert isinstance(thin, list)
        figures[f"hv_thin_fraction_after_{MO_EXPERIMENTS}_experiments_{m}"] = thin[mo_index]
    if first_batches:
        for key in first_batches[0]:
            values = [fb[key] for fb in first_batches]
            figures[key] = float(np.median(values))
            figures[f"{key}_per_seed"] = values
        for label in ("", "_independent_draws", "_thin"):
            for other in ("greedy_repeated", "believer_independent"):
                loss = [
                    loss_fraction(
                        fb[f"batch_value_joint{label}"], fb[f"batch_value_{other}{label}"]
                    )
                    for fb in first_batches
                ]
                name = f"{other}_loss_fraction{label}"
                figures[name] = float(np.median(loss))
                figures[f"{name}_per_seed"] = loss
        figures["batch_value_note"] = (
            "first batch per seed (surrogate fitted on the seed set); joint q-EHVI "
            "(acquisition.batch_value) over VALUE_SAMPLES fresh joint draws with suggest's "
            f"correlation model (ℓ = {CORRELATION_LENGTH:g} atom fraction), and over independent "
            "draws (*_independent_draws); normalized hypervolume units (BOUNDS; *_thin: "
            "THIN_BOUNDS, reporting only, the batches still chosen with BOUNDS); *_loss_fraction "
            "= 1 − other / joint, median over seeds"
        )
        figures["value_samples"] = VALUE_SAMPLES
    median = {m: float(np.median([r["experiments"] for r in runs[m]])) for m in methods}
    if "random" in methods and "ssemo" in methods:
        ratio = median["ssemo"] / median["random"]
        figures["ssemo_over_random"] = ratio
        figures["target_ssemo_le_third_of_random"] = bool(ratio <= 1 / 3)
    if "gp_ei" in methods and "ssemo" in methods:
        figures["target_ssemo_le_gp_ei"] = bool(median["ssemo"] <= median["gp_ei"])
    figures |= {
        "experiments_axis": [SEED_SET + BATCH * k for k in range(n_curve)],
        "seeds": args.seeds,
        "pool_size": args.pool,
        "pool_source": "Laskowski 2023 (doi:10.1039/D2EE03499A), measured RT rows, OBELiX-test "
        f"compositions removed: {len(source)} eligible compositions",
        "top1pct_threshold_log10_sigma_median": float(np.median(pools_top)),
        "seed_set": SEED_SET,
        "batch": BATCH,
        "rounds_budget": args.rounds,
        "configuration": f"ConductivitySurrogate with {TREES} trees (default 300) for σ and Ea; "
        f"{SAMPLES} draws per candidate, {POINTS} QMC points; prior = configs/train_default.yaml "
        "data minus the pool's compositions",
        "acquisition_rule_chosen": "before any campaign run: ssemo suggest's greedy MC-EHVI x "
        "P(feasible) with Kriging believer on thickness/ASR designs; not tuned on the campaign; "
        f"issue 24 item 5 added the correlated draws (ℓ = {CORRELATION_LENGTH:g}, fixed from the "
        "training data's nearest-neighbour distance before this benchmark was rerun) and the "
        "conditioning believer",
        "curves_note": "best_so_far_* and hv_*fraction_* are medians over seeds at "
        "experiments_axis; ssemo, greedy and gp_ei stop once a top-1 % composition is found and "
        f"{MO_EXPERIMENTS} experiments are done, and carry their last value after that (random runs "
        "to the end of the pool)",
        "mo_normalization": f"acquisition and hv_fraction_*: thickness/{BOUNDS[0][1]:g} µm, "
        f"ASR/{BOUNDS[1][1]:g} Ω cm², R_interface {R_INTERFACE:g} Ω cm² (assumption); "
        f"hv_thin_fraction_* (reporting only, added after a first run saturated): "
        f"/{THIN_BOUNDS[0][1]:g} µm, /{THIN_BOUNDS[1][1]:g} Ω cm²",
        "wall_s": time.perf_counter() - started,
    }
    write_result("campaign", figures, packages=("numpy", "scikit-learn", "scipy"))


if __name__ == "__main__":
    main()
