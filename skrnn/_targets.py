"""Target scaling, validation splits and scores shared by the estimators.

* :class:`TargetNormalizer`: ``normalize_y`` (center and scale ``y`` inside
  ``fit``, map predictions back), with sample weights.
* :func:`validation_split`: the held-out sequences of early stopping.
* :func:`weighted_r2`: ``R^2`` pooled over (sample, step) pairs, weighted.
"""

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

__all__ = [
    "TargetNormalizer",
    "check_weights",
    "normalized_weights",
    "validation_split",
    "weighted_r2",
]


def check_weights(sample_weight, X):
    """Validated per-sequence weights (float64, >= 0, not all zero) for ``X`` (n, T, d)."""
    from ._sklearn_compat import check_sample_weight

    weights = check_sample_weight(
        sample_weight, X[:, 0, 0], dtype=np.float64, ensure_non_negative=True
    )
    if not np.sum(weights) > 0:
        raise ValueError("sample_weight must contain at least one non-zero weight.")
    return weights


class TargetNormalizer:
    """Affine map ``y -> (y - mean) / scale`` learned from the targets.

    One mean and one scale for all fitted steps (the model shares its
    weights across steps). ``enabled=False`` gives ``mean = 0`` and
    ``scale = 1``: the targets pass through bit for bit.

    Parameters
    ----------
    enabled : bool
        Whether to learn the map.
    """

    def __init__(self, enabled):
        self.enabled = enabled
        self.mean, self.scale = 0.0, 1.0

    def fit(self, Y, sample_weight=None):
        """Learn the (weighted) mean and standard deviation of ``Y`` (n, S)."""
        if not self.enabled:
            return self
        weights = None
        if sample_weight is not None:
            weights = np.broadcast_to(sample_weight[:, np.newaxis], Y.shape)
            if not np.sum(weights) > 0:
                weights = None
        mean = float(np.average(Y, weights=weights))
        spread = float(np.sqrt(np.average((Y - mean) ** 2, weights=weights)))
        return self.set_moments(mean, spread)

    def set_moments(self, mean, spread):
        """Take a mean and standard deviation computed elsewhere (Dask input), with the guards."""
        if not self.enabled:
            return self
        self.mean = mean if np.isfinite(mean) else 0.0
        # constant (or overflowing) targets keep their scale
        self.scale = (
            spread if np.isfinite(spread) and spread > 1e-12 * max(abs(mean), 1e-300) else 1.0
        )
        if self.scale == 0.0:
            self.scale = 1.0
        return self

    def transform(self, Y):
        """Normalized targets (a new C-contiguous array; ``Y`` itself when disabled)."""
        if not self.enabled:
            return Y
        return np.ascontiguousarray((Y - self.mean) / self.scale)


def normalized_weights(sample_weight, n_samples):
    """Weights rescaled to sum to ``n_samples``, so that a mean over rows stays a mean.

    Returns None for None. A weighted mean ``(1/n) sum_j s'_j r_j`` with
    ``s' = n s / sum(s)`` equals ``sum_j s_j r_j / sum(s)``: integer weights
    act as repeated rows.
    """
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if sample_weight.size and np.all(sample_weight == sample_weight[0]) and sample_weight[0] > 0:
        return None  # equal weights: the unweighted arithmetic, bit for bit
    total = float(np.sum(sample_weight))
    if not total > 0:
        raise ValueError("sample_weight must contain at least one non-zero weight.")
    return np.ascontiguousarray(sample_weight * (n_samples / total), dtype=np.float64)


def validation_split(n_samples, validation_fraction, random_state):
    """Indices ``(fit_rows, validation_rows)`` of a random split of the sequences.

    At least two sequences are held out (``R^2`` needs two) and at least one
    is kept for fitting.
    """
    n_validation = int(np.ceil(validation_fraction * n_samples))
    n_validation = max(2, n_validation)
    if n_samples - n_validation < 1:
        raise ValueError(
            f"early_stopping needs at least 3 sequences (2 held out for validation), got "
            f"{n_samples}; set early_stopping=False."
        )
    rng = check_random_state(random_state)
    seed = (
        rng.randint(np.iinfo(np.int32).max) if not isinstance(random_state, int) else random_state
    )
    fit_rows, validation_rows = train_test_split(
        np.arange(n_samples), test_size=n_validation, random_state=seed
    )
    return np.sort(fit_rows), np.sort(validation_rows)


def weighted_r2(Y, outputs, sample_weight=None):
    """``R^2`` of ``outputs`` against ``Y`` (both (n, S)), pooled over all entries.

    Weighted by sequence when ``sample_weight`` is given. 1.0 for a perfect
    fit of constant targets, 0.0 for an imperfect one (as scikit-learn).
    """
    weights = None
    if sample_weight is not None:
        weights = np.broadcast_to(sample_weight[:, np.newaxis], Y.shape)
    residual = np.average((Y - outputs) ** 2, weights=weights)
    spread = np.average((Y - np.average(Y, weights=weights)) ** 2, weights=weights)
    if spread == 0.0:
        return 1.0 if residual == 0.0 else 0.0
    return float(1.0 - residual / spread)
