"""A search over plausible worlds: designs that hold in a chosen share of the catalogs drawn from the
evidence ranges (uncertainty.search; the draws: pipeline/reporting/worlds.py).

Per design and world the study's model gives F and G; a design is feasible when it meets every
constraint in at least uncertainty.feasibility_level of the worlds, and each objective is searched
at its uncertainty.objective_quantile over the worlds (0.9: a minimized objective at its 90 %
quantile, a maximized one at its 10 %). Two constraints carry that to NSGA-II:

- g_p_feasible = level − P(feasible): the definition;
- g_typical_world = the median over worlds of the design's worst normalized constraint: with a level
  of at least 0.5 it is ≤ 0 whenever g_p_feasible is, so it changes no verdict, but it falls as a
  design approaches feasibility where P(feasible) stays at 0 (a direction for the search).

One StudyModel per world is built once (its catalog drawn, ~30 ms each) and their evaluators are
stacked (Evaluator.stacked): a generation evaluates the population in every world in one vectorized
call of S × population designs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.study.plausible import (
    catalog_with,
    draw_values,
    model_with,
    sigma_draws,
    stacked_model,
)
from pipeline.study.registry import OBJECTIVES


class WorldsModel:
    """A StudyModel searched over plausible worlds (the SearchModel interface: config, objectives,
    n_obj, n_constr, space, evaluate; table for the front)."""

    def __init__(self, model, worlds: list) -> None:
        """model: the nominal StudyModel; worlds: one StudyModel per drawn catalog."""
        if not worlds:
            raise ValueError("a search over plausible worlds needs at least one world")
        self.model = model
        self.worlds = worlds
        self.stacked = stacked_model(model, worlds)
        # the surrogate's predicted σ drawn per world too (None: the study predicts none)
        self.sigma = sigma_draws(model, len(worlds), model.config.uncertainty.seed)
        self.config = model.config
        self.catalog = model.catalog
        self.objectives = model.objectives
        self.space = model.space
        self.constraint_names = ("g_p_feasible", "g_typical_world")
        u = self.config.uncertainty
        self.level = u.feasibility_level
        self.quantile = u.objective_quantile
        # the highest P(feasible) any evaluated design reached, which design, and its encoded X:
        # what an empty robust front says
        self.best_p_feasible: tuple[float, str, np.ndarray] | None = None

    @property
    def n_obj(self) -> int:
        return len(self.objectives)

    @property
    def n_constr(self) -> int:
        return len(self.constraint_names)

    def _in_worlds(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """F [world, design, objective] (minimized), feasible [world, design], and the worst
        normalized constraint [world, design]: every design in every world in one call."""
        X = np.asarray(X, dtype=float)
        S, n = len(self.worlds), len(X)
        shift = self.sigma.shifts(self.model, X).ravel() if self.sigma is not None else None
        F, G, _ = self.stacked.evaluate(
            np.tile(X, (S, 1)),
            log10_sigma_shift=shift,
            world=np.repeat(np.arange(S), n),
            every_column=False,
        )
        feasible = np.all(G <= 0.0, axis=1)
        worst = G.max(axis=1) if G.shape[1] else np.full(S * n, -1.0)
        return F.reshape(S, n, self.n_obj), feasible.reshape(S, n), worst.reshape(S, n)

    def evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        Fs, feasible, worst = self._in_worlds(X)
        # F is minimized: its upper quantile is the pessimistic one for every objective
        F = np.quantile(Fs, self.quantile, axis=0)
        p = feasible.mean(axis=0)
        if len(p):
            i = int(np.argmax(p))
            if self.best_p_feasible is None or p[i] > self.best_p_feasible[0]:
                b = self.space.decode(X[i : i + 1])
                ids = (
                    self.catalog.material_ids,
                    self.catalog.process_ids,
                    self.catalog.coating_ids,
                )
                name = " / ".join(
                    names[int(index[0])]
                    for names, index in zip(ids, (b.material, b.process, b.coating), strict=True)
                )
                self.best_p_feasible = (
                    float(p[i]),
                    f"{name}, {b.thickness_um[0]:.3g} µm",
                    np.array(X[i], dtype=float),
                )
        G = np.column_stack([self.level - p, np.median(worst, axis=0)])
        _, _, out = self.model.evaluate(X)  # the nominal columns, for tables
        out["p_feasible"] = p
        out["g_p_feasible"] = G[:, 0]
        out["g_typical_world"] = G[:, 1]
        out["feasible"] = np.all(G <= 0.0, axis=1)
        return F, G, out

    def table(self, X: np.ndarray) -> pd.DataFrame:
        """The nominal front table, with P(feasible) and each objective at the searched quantile
        (`<objective>_q<percent>`; the nominal value keeps its own column)."""
        X = np.asarray(X, dtype=float).reshape(-1, self.space.n_var)
        frame = self.model.table(X)
        F, G, _ = self.evaluate(X)
        tag = f"q{round(100 * self.quantile)}"
        for j, name in enumerate(self.objectives):
            sign = -1.0 if OBJECTIVES[name].maximized else 1.0
            frame[f"{name}_{tag}"] = sign * F[:, j]
        frame["p_feasible"] = self.level - G[:, 0]
        frame["feasible"] = np.all(G <= 0.0, axis=1)
        return frame


def worlds_model(model) -> WorldsModel:
    """The study's model over uncertainty.worlds catalogs drawn with uncertainty.seed (the draws
    the report's 'Plausible worlds' uses, so P(feasible) there is the searched one)."""
    u = model.config.uncertainty
    values = draw_values(model.catalog.evidence(), u.worlds, u.seed)
    worlds = [
        model_with(model, catalog_with(model.catalog, values[s]), "all") for s in range(u.worlds)
    ]
    return WorldsModel(model, worlds)
