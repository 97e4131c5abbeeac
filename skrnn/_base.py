"""Behaviour shared by every skrnn estimator: tags, pickling and scoring.

* :class:`SequenceTagsMixin`: the one ``__sklearn_tags__`` of the package
  (3-D input accepted).
* :class:`VersionedPickleMixin`: pickles record the skrnn version, warn with
  :class:`InconsistentVersionWarning` when loaded under another one, and fail
  with a clear message when a fitted attribute is missing.
* :class:`SequenceRegressorMixin`: ``score`` defined for sequence-to-sequence
  models too.
"""

import warnings

import numpy as np
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_array

from ._sklearn_compat import check_sample_weight

__all__ = [
    "InconsistentVersionWarning",
    "SequenceRegressorMixin",
    "SequenceTagsMixin",
    "VersionedPickleMixin",
]


def _skrnn_version():
    from . import __version__

    return __version__


class InconsistentVersionWarning(UserWarning):
    """A pickled skrnn estimator is loaded under another skrnn version.

    As scikit-learn's own warning of that name, it says that the loaded model
    may behave differently or be invalid: refit it, or load it with the
    version that saved it.

    Parameters
    ----------
    estimator_name : str
        Class name of the estimator.
    current_skrnn_version : str
        The version loading the pickle.
    original_skrnn_version : str or None
        The version that saved it (None: a pickle older than version
        recording).
    """

    def __init__(self, *, estimator_name, current_skrnn_version, original_skrnn_version):
        self.estimator_name = estimator_name
        self.current_skrnn_version = current_skrnn_version
        self.original_skrnn_version = original_skrnn_version

    def __str__(self):
        saved = (
            "an unknown skrnn version (the pickle records none)"
            if self.original_skrnn_version is None
            else f"skrnn {self.original_skrnn_version}"
        )
        return (
            f"Trying to unpickle estimator {self.estimator_name} saved by {saved} when "
            f"using skrnn {self.current_skrnn_version}. This might lead to breaking code "
            "or invalid results. Use at your own risk: refit the model with this version."
        )


class SequenceTagsMixin:
    """Declare 3-D input ``(n_samples, n_timesteps, n_features)`` in the estimator tags."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


class VersionedPickleMixin:
    """Record the skrnn version in pickles and check fitted state on load.

    Subclasses list in ``_fitted_state`` the attributes that a fitted model
    must carry (the public ones ending in ``_`` and the private ones predict
    needs). A pickle holding some fitted attributes but not all of them
    (a truncated or hand-edited state, or one written by an incompatible
    version) is refused when loaded, instead of failing later inside
    ``predict``.
    """

    _fitted_state: tuple = ()

    def __getstate__(self):
        # copy: object.__getstate__ may return the instance's own __dict__
        state = dict(super().__getstate__())
        state["_skrnn_version"] = _skrnn_version()
        return state

    def __setstate__(self, state):
        state = dict(state)
        saved_version = state.pop("_skrnn_version", None)
        current = _skrnn_version()
        if saved_version != current:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_skrnn_version=current,
                    original_skrnn_version=saved_version,
                ),
                stacklevel=2,
            )
        fitted = [name for name in self._fitted_state if name in state]
        if fitted:
            missing = [name for name in self._fitted_state if name not in state]
            if missing:
                raise ValueError(
                    f"Cannot load this {type(self).__name__}: the pickle is of a fitted "
                    f"model but lacks the fitted attribute(s) {missing}. It was written "
                    "by an incompatible skrnn version or is damaged; refit the model."
                )
        super().__setstate__(state)


def _pooled_list_r2(y, y_pred, sample_weight):
    """``R^2`` pooled over the steps of a list of ``(T_j,)`` targets and predictions."""
    if not isinstance(y, (list, tuple)) or len(y) != len(y_pred):
        raise ValueError(
            "The model predicts a list of (T_j,) arrays for these sequences; pass y as "
            "a list of as many arrays of the same lengths."
        )
    y_true = [np.asarray(item, dtype=np.float64) for item in y]
    for j, (truth, pred) in enumerate(zip(y_true, y_pred, strict=True)):
        if truth.shape != pred.shape:
            raise ValueError(f"y[{j}] has shape {truth.shape}, the prediction {pred.shape}.")
    weights = None
    if sample_weight is not None:
        lengths = [pred.shape[0] for pred in y_pred]
        per_sample = check_sample_weight(sample_weight, np.empty(len(y_pred)))
        weights = np.repeat(per_sample, lengths)
    return float(r2_score(np.concatenate(y_true), np.concatenate(y_pred), sample_weight=weights))


class SequenceRegressorMixin:
    """``score`` for sequence-to-one and sequence-to-sequence regression.

    Sequence-to-one (1-D ``y``): the coefficient of determination ``R^2``,
    exactly as :meth:`sklearn.base.RegressorMixin.score`.

    Sequence-to-sequence (2-D ``y``): ``R^2`` over all (sample, step) pairs,
    i.e. ``r2_score(y.ravel(), y_pred.ravel())``, with each sample's weight
    applied to all its steps. scikit-learn's default would average one
    ``R^2`` per step (per output column); a step whose targets are (nearly)
    equal across samples, such as the first steps of sequences started from
    the same state, then divides by a variance near 0 and can drive the mean
    to -1e30. Pooling the pairs divides by the variance of all targets.
    """

    def score(self, X, y, sample_weight=None):
        """``R^2`` of the predictions, pooled over all (sample, step) pairs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or (n_samples, n_timesteps)
            Input sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_timesteps)
            True targets, in the layout the model predicts.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence; in sequence-to-sequence scoring it
            weighs every step of the sequence.

        Returns
        -------
        score : float
            ``R^2`` of ``self.predict(X)`` against ``y`` (1.0 is perfect; it
            is 0.0, not NaN, for constant targets predicted imperfectly, as
            in :func:`sklearn.metrics.r2_score`).
        """
        y_pred = self.predict(X)
        if isinstance(y_pred, list):  # variable-length sequences, a target per step
            return _pooled_list_r2(y, y_pred, sample_weight)
        if y_pred.ndim == 1:
            return float(r2_score(y, y_pred, sample_weight=sample_weight))
        y_true = check_array(y, dtype=np.float64, input_name="y")
        if y_true.shape != y_pred.shape:
            raise ValueError(
                f"y of shape {y_true.shape} does not match the predictions of shape "
                f"{y_pred.shape} (one target per sample and step)."
            )
        weights = None
        if sample_weight is not None:
            per_sample = check_sample_weight(sample_weight, y_true)
            weights = np.repeat(per_sample, y_true.shape[1])
        return float(r2_score(y_true.ravel(), y_pred.ravel(), sample_weight=weights))
