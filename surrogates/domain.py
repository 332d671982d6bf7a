"""Applicability domain: how far a query lies from the training data, as a score in [0, 1].

Distance d = mean Euclidean distance to the k nearest training points in standardized feature space.
The score is the fraction of training points whose own leave-one-out k-NN distance is at least d:
1 = as close to the data as a typical training point (interpolation), 0 = farther than every training
point (extrapolation). Scores below `threshold` are flagged as out of domain.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data


class ApplicabilityDomain(BaseEstimator):
    def __init__(self, n_neighbors: int = 5, threshold: float = 0.05):
        self.n_neighbors = n_neighbors
        self.threshold = threshold

    def fit(self, X, y=None):
        X = validate_data(self, X)
        self.scaler_ = StandardScaler().fit(X)
        Z = self.scaler_.transform(X)
        k = min(self.n_neighbors, len(Z) - 1) if len(Z) > 1 else 1
        self.k_ = k
        self.nn_ = NearestNeighbors(n_neighbors=min(k + 1, len(Z))).fit(Z)
        dist, _ = self.nn_.kneighbors(Z)
        own = dist[:, 1:].mean(axis=1) if dist.shape[1] > 1 else dist[:, 0]
        self.train_distances_ = np.sort(own)
        return self

    def distance(self, X) -> np.ndarray:
        check_is_fitted(self, "nn_")
        Z = self.scaler_.transform(validate_data(self, X, reset=False))
        dist, _ = self.nn_.kneighbors(Z, n_neighbors=self.k_)
        return dist.mean(axis=1)

    def score(self, X) -> np.ndarray:
        d = self.distance(X)
        below = np.searchsorted(self.train_distances_, d, side="left")
        return 1.0 - below / len(self.train_distances_)

    def in_domain(self, X) -> np.ndarray:
        return self.score(X) >= self.threshold
