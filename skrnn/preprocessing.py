"""Sequence-aware preprocessing.

Two scalers, for two purposes:

* :class:`SequenceStandardScaler` serves **accuracy**: every feature gets
  mean 0 and unit variance over all (sequence, step) pairs, as
  :class:`~sklearn.preprocessing.StandardScaler` does for tables. Use it in
  front of the estimators on real data.
* :class:`SequenceMaxNormScaler` serves **the theory**: the bounds of
  Cayci & Eryilmaz hold for inputs with ``max_t ||X_t||_2 <= 1`` (every
  step in the unit ball), and this scaler divides by the largest step norm
  so that ``theoretical_bound_`` is defined. One factor for all features
  keeps the geometry but shrinks a small-range feature next to a large-range
  one to almost nothing, which hurts accuracy.

skrnn's estimators never rescale their input silently.

Both scalers accept sequences of different lengths as a list of arrays of
shape ``(T_j, n_features)`` (or ``(T_j,)``) in ``fit``, ``transform`` and
``inverse_transform``, and then return a list in the same layout.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._base import SequenceTagsMixin, VersionedPickleMixin
from ._ragged import check_ragged_weights, is_ragged, validate_ragged
from ._sklearn_compat import wrap_data_with_container
from ._targets import check_weights
from ._validation import max_step_norm, step_norms, validate_sequences

__all__ = ["SequenceMaxNormScaler", "SequenceStandardScaler"]


def _shrink_into_ball(X, radius):
    """Shrink, in place, the steps of ``X`` longer than ``radius`` onto the sphere.

    Directions are kept. Rounding can leave a shrunk step an ulp outside;
    such steps are pulled in a little further until none is.
    """
    norms = step_norms(X)
    outside = norms > radius
    for attempt in range(64):
        if not np.any(outside):
            return X
        factor = (radius / norms[outside]) * (1.0 - attempt * np.finfo(np.float64).eps)
        X[outside] *= factor[:, np.newaxis]
        norms = step_norms(X)
        outside = norms > radius
    raise RuntimeError("could not shrink the steps into the ball")  # pragma: no cover


def _ragged_steps(estimator, X, *, reset, sample_weight=None):
    """All steps of a list of sequences as an ``(N, 1, d)`` array, and the sequences.

    With ``sample_weight``, also the per-step weights (each sequence's
    weight repeated over its steps).
    """
    data = validate_ragged(estimator, X, reset=reset)
    steps = np.concatenate(data.sequences())[:, np.newaxis, :]
    weights = check_ragged_weights(sample_weight, data.n_samples)
    if weights is not None:
        weights = np.repeat(weights, data.lengths)
    return steps, data, weights


def _as_list(data, steps):
    """``(N, 1, d)`` steps back into the list layout of ``data``."""
    pieces = np.split(steps[:, 0, :], np.cumsum(data.lengths)[:-1])
    return data.user_layout([np.ascontiguousarray(piece) for piece in pieces])


def _training_data(estimator, X, sample_weight):
    """Validated training data as a 3-D array, with one weight per entry of its first axis.

    3-D or 2-D input gives ``(n_samples, n_timesteps, n_features)`` and the
    sample weights; a list of sequences of different lengths gives all its
    steps, ``(N, 1, n_features)``, each with its sequence's weight. The
    weights are None without ``sample_weight``.
    """
    if is_ragged(X):
        steps, _, step_weights = _ragged_steps(
            estimator, X, reset=True, sample_weight=sample_weight
        )
        return steps, step_weights
    X = validate_sequences(estimator, X, reset=True)
    weights = None if sample_weight is None else check_weights(sample_weight, X)
    return X, weights


class _SequenceScaler(
    SequenceTagsMixin,
    VersionedPickleMixin,
    OneToOneFeatureMixin,
    TransformerMixin,
    BaseEstimator,
    auto_wrap_output_keys=None,
):
    """What both scalers share: the layouts of their input and output.

    A subclass maps a 3-D array of steps elementwise (``_forward`` in
    ``transform``, ``_backward`` in ``inverse_transform``); the base class
    validates the input, runs the map on 3-D data or on all steps of a
    list of sequences, and returns the user's layout.
    """

    def __init_subclass__(cls, **kwargs):
        # Automatic wrapping is off (3-D results cannot be tables: see
        # _wrap_output), but registering the "transform" key makes
        # ``set_output`` available.
        super().__init_subclass__(auto_wrap_output_keys=None, **kwargs)
        cls._sklearn_auto_wrap_output_keys = {"transform"}

    def _output(self, X):
        return X[:, :, 0] if self._input_ndim == 2 else X

    def _wrap_output(self, result, original_input):
        """Apply the ``set_output`` configuration to 2-D results; 3-D stay arrays."""
        if result.ndim != 2:
            return result
        return wrap_data_with_container("transform", result, original_input, self)

    def inverse_transform(self, X):
        """Undo :meth:`transform`.

        Steps that ``SequenceMaxNormScaler(clip=True)`` shrank are not restored.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Scaled sequences (a list of sequences of different lengths comes
            back as a list).

        Returns
        -------
        X_original : ndarray of the same shape as ``X``
            The sequences in the original units (float64).
        """
        return self._map(X, self._backward, wrap=False)

    def _map(self, X, function, *, wrap):
        """``function`` applied to the validated steps of ``X``, in the layout of ``X``."""
        check_is_fitted(self)
        if is_ragged(X):
            steps, data, _ = _ragged_steps(self, X, reset=False)
            return _as_list(data, function(steps))
        original_input = X
        result = self._output(function(validate_sequences(self, X, reset=False)))
        return self._wrap_output(result, original_input) if wrap else result


class SequenceMaxNormScaler(_SequenceScaler):
    """Scale sequences so that every step has Euclidean norm at most ``max_norm``.

    One positive factor is learned for the whole data set: the largest norm
    of a single step, ``max_{j, t} ||X[j, t]||_2``, over all training
    sequences and steps. Dividing by it (and multiplying by ``max_norm``)
    puts every training step in the ball of radius ``max_norm``; with the
    default ``max_norm=1`` this is the input condition of the theory. Since
    the factor is shared by all steps and features, directions and relative
    sizes of the steps are kept, and a model of the scaled data is a model of
    the original data.

    Parameters
    ----------
    max_norm : float, default=1.0
        Radius of the ball the training steps are mapped into (> 0).
    clip : bool, default=False
        New data at ``transform`` time can have steps longer than any seen
        in ``fit``; after scaling they lie outside the ball. If True, such
        steps are shrunk radially onto the sphere of radius ``max_norm``, so
        that the theory's assumption also holds on new data (the direction is
        kept, the length is not, so ``inverse_transform`` cannot undo it).
        If False, they are only scaled.

    Attributes
    ----------
    scale_ : float
        The divisor, ``max_step_norm_ / max_norm``; 1.0 when every training
        step is zero.
    max_step_norm_ : float
        ``max_{j, t} ||X[j, t]||_2`` over the training data.
    n_features_in_ : int
        For 3-D input ``(n_samples, n_timesteps, n_features)``, the number of
        features per step; sequences of any length are accepted afterwards.
        For 2-D input ``(n_samples, n_timesteps)``, read as univariate
        sequences, the number of columns (the sequence length), which
        ``transform`` then enforces, as in every scikit-learn estimator.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, for 2-D input with string column names only.

    See Also
    --------
    sklearn.preprocessing.MaxAbsScaler : Per-feature scaling of tabular data.

    Notes
    -----
    For 2-D input each step is a scalar, so the factor is the largest
    absolute value in the training data.

    ``set_output(transform="pandas")`` (or ``"polars"``, or the global
    ``sklearn.set_config(transform_output=...)``) applies to 2-D input
    only, which comes back as a DataFrame. A table cannot hold 3-D
    sequences, so 3-D input always comes back as a NumPy array, whatever
    the output configuration.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import SequenceMaxNormScaler
    >>> X = np.array([[[3.0, 4.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, -2.0]]])
    >>> scaler = SequenceMaxNormScaler().fit(X)
    >>> scaler.scale_
    5.0
    >>> np.linalg.norm(scaler.transform(X), axis=2)
    array([[1. , 0.2],
           [0.2, 0.4]])
    """

    def __init__(self, max_norm=1.0, clip=False):
        self.max_norm = max_norm
        self.clip = clip

    _fitted_state = ("scale_", "max_step_norm_", "n_features_in_", "_input_ndim")

    def _check_params(self):
        max_norm = self.max_norm
        if isinstance(max_norm, (bool, np.bool_)) or not isinstance(max_norm, numbers.Real):
            raise TypeError(
                f"max_norm must be a positive real number, got {max_norm!r} of type "
                f"{type(max_norm).__name__}."
            )
        if not (np.isfinite(max_norm) and max_norm > 0):
            raise ValueError(f"max_norm must be a positive finite number, got {max_norm}.")
        if not isinstance(self.clip, (bool, np.bool_)):
            raise TypeError(f"clip must be a bool, got {self.clip!r}.")

    def fit(self, X, y=None, sample_weight=None):
        """Learn the largest step norm of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Training sequences; 2-D input holds univariate sequences, a list
            of ``(T_j, n_features)`` (or ``(T_j,)``) arrays sequences of
            different lengths.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Sequences of zero weight are ignored (the maximum does not
            depend on positive weights, so integer weights act as repeats).

        Returns
        -------
        self : SequenceMaxNormScaler
            The fitted scaler.
        """
        self._check_params()
        X, weights = _training_data(self, X, sample_weight)
        if weights is not None:
            X = X[weights > 0]
        self.max_step_norm_ = max_step_norm(X)
        max_norm = float(self.max_norm)
        if self.max_step_norm_ > 0.0:
            scale = self.max_step_norm_ / max_norm
            # Rounding in the division can leave the longest training step an
            # ulp above max_norm; the theory's check is strict, so nudge up.
            while max_step_norm(X / scale) > max_norm:
                scale = np.nextafter(scale, np.inf)
            self.scale_ = float(scale)
        else:
            self.scale_ = 1.0
        return self

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit to ``X``, then scale it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Training sequences; 2-D input holds univariate sequences, a list
            of ``(T_j, n_features)`` (or ``(T_j,)``) arrays sequences of
            different lengths.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            As in :meth:`fit`.

        Returns
        -------
        X_scaled : ndarray or DataFrame of the same shape as ``X``
            The scaled sequences (a DataFrame for 2-D input under
            ``set_output(transform="pandas")``).
        """
        return self.fit(X, y, sample_weight=sample_weight).transform(X)

    def transform(self, X):
        """Divide the sequences by ``scale_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Sequences, with the same number of dimensions as in ``fit``, or
            (after a fit on 3-D input or a list) a list of sequences of
            different lengths, returned as a list of the same shapes.

        Returns
        -------
        X_scaled : ndarray of the same shape as ``X``
            The scaled sequences (float64). With ``clip=True`` no step has
            norm above ``max_norm``. A DataFrame for 2-D input when
            ``set_output`` asks for one; 3-D output is always an array.
        """
        return self._map(X, self._forward, wrap=True)

    def _forward(self, X):
        X = X / self.scale_
        if self.clip:
            _shrink_into_ball(X, float(self.max_norm))
        return X

    def _backward(self, X):
        return X * self.scale_


class SequenceStandardScaler(_SequenceScaler):
    """Standardize each feature of 3-D sequences over all (sequence, step) pairs.

    ``X[j, t, k]`` becomes ``(X[j, t, k] - mean_[k]) / scale_[k]``, with the
    mean and standard deviation of feature ``k`` over every sequence and step
    (optionally weighted by sequence). It is the scaler for accuracy: each
    feature gets unit variance whatever its range, which suits the
    saturating activations of the RNN. It does not guarantee the theory's
    ``max_t ||X_t|| <= 1``; chain :class:`SequenceMaxNormScaler` after it
    (or use that one alone) when ``theoretical_bound_`` must be defined.

    Parameters
    ----------
    with_mean : bool, default=True
        Center each feature.
    with_std : bool, default=True
        Divide each feature by its standard deviation (1 for a constant
        feature).

    Attributes
    ----------
    mean_ : ndarray of shape (n_step_features,)
        Mean of each feature (0 without centering). For 2-D input
        (univariate sequences) one value, shared by all columns.
    scale_ : ndarray of shape (n_step_features,)
        Standard deviation of each feature (1 without scaling).
    n_features_in_ : int
        Features per step for 3-D input; number of columns for 2-D input.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, for 2-D input with string column names only.

    See Also
    --------
    SequenceMaxNormScaler : one factor for all features, for the theory's unit ball.
    sklearn.preprocessing.StandardScaler : the same for tabular data.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import SequenceStandardScaler
    >>> X = np.array([[[1.0, 100.0], [3.0, 300.0]], [[5.0, 500.0], [7.0, 700.0]]])
    >>> Z = SequenceStandardScaler().fit_transform(X)
    >>> np.round(Z.reshape(-1, 2).std(axis=0), 6)
    array([1., 1.])
    """

    def __init__(self, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    _fitted_state = ("mean_", "scale_", "n_features_in_", "_input_ndim")

    def fit(self, X, y=None, sample_weight=None):
        """Learn the per-feature mean and standard deviation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Training sequences; 2-D input holds univariate sequences, a list
            of ``(T_j, n_features)`` (or ``(T_j,)``) arrays sequences of
            different lengths.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence (applied to all its steps); integer
            weights act as repeated sequences.

        Returns
        -------
        self : SequenceStandardScaler
            The fitted scaler.
        """
        for name in ("with_mean", "with_std"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be a bool, got {getattr(self, name)!r}.")
        X, weights = _training_data(self, X, sample_weight)
        n_features = X.shape[2]
        rows = X.reshape(-1, n_features)
        if weights is not None:  # each step gets its sequence's weight
            weights = np.repeat(weights, X.shape[1])
        mean = np.average(rows, axis=0, weights=weights)
        variance = np.average((rows - mean) ** 2, axis=0, weights=weights)
        std = np.sqrt(variance)
        # constant features (up to rounding of the mean) are left unscaled
        constant = ~(std > 1e-12 * np.maximum(np.abs(mean), 1e-300))
        std[constant] = 1.0
        self.mean_ = mean if self.with_mean else np.zeros(n_features)
        self.scale_ = std if self.with_std else np.ones(n_features)
        return self

    def transform(self, X):
        """Standardize the sequences.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Sequences, with the same number of dimensions as in ``fit``, or
            (after a fit on 3-D input or a list) a list of sequences of
            different lengths, returned as a list of the same shapes.

        Returns
        -------
        X_scaled : ndarray of the same shape as ``X``
            The standardized sequences (float64; a DataFrame for 2-D input
            when ``set_output`` asks for one).
        """
        return self._map(X, self._forward, wrap=True)

    def _forward(self, X):
        return (X - self.mean_) / self.scale_

    def _backward(self, X):
        return X * self.scale_ + self.mean_
