"""The theoretical bound of a fitted estimator, from its parameters and its data.

Both estimators report the bound of :mod:`skrnn.theory` that matches their
setting (:func:`skrnn.theory.gd_rnn_bound`, :func:`skrnn.theory.ntk_bound`)
at the shape and input norm of the training data; :func:`store_bound` reads
the parameters the bound shares with the estimator, calls it, and stores
``theoretical_bound_``, ``bound_details_`` and ``memory_regime_``.
"""

from ._validation import max_step_norm

__all__ = ["store_bound"]


def store_bound(estimator, bound, parameters, X, max_input_norm=None, **inputs):
    """Evaluate ``bound`` for ``estimator`` fitted on ``X`` and store the result.

    Parameters
    ----------
    estimator : estimator instance
        The fitted estimator; receives ``theoretical_bound_``,
        ``bound_details_`` and ``memory_regime_``.
    bound : callable
        A bound of :mod:`skrnn.theory` returning ``(value, details)``.
    parameters : tuple of str
        Estimator parameters passed to ``bound`` under the same names.
    X : ndarray or RaggedSequences
        Training sequences (anything with ``shape`` that
        :func:`skrnn._validation.max_step_norm` reads).
    max_input_norm : float or None, default=None
        ``max_t ||X_t||``; None measures it on ``X`` (Dask input passes the
        value measured on the workers).
    **inputs
        Further arguments of ``bound``.
    """
    if max_input_norm is None:
        max_input_norm = max_step_norm(X)
    n_samples, n_timesteps, _ = X.shape
    estimator.theoretical_bound_, estimator.bound_details_ = bound(
        **{name: getattr(estimator, name) for name in parameters},
        n_timesteps=n_timesteps,
        n_samples=n_samples,
        max_input_norm=max_input_norm,
        **inputs,
    )
    estimator.memory_regime_ = estimator.bound_details_["regime"]
