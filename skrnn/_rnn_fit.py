"""Pieces of :class:`skrnn.ProjectedGDRNNRegressor`'s fit, as functions on arrays.

The estimator validates its input, chooses the step and stores the result;
the loop itself is :func:`skrnn._gd.gradient_descent`. Here are the parts it
is given:

* :func:`symmetric_initialization`: the starting point (Definition 1);
* :func:`initial_curvature`: the curvature that sets the ``"auto"`` step;
* :func:`ball_projection`: the max-norm projection of Section 2.3 (or None
  for plain gradient descent);
* :func:`r2_validation`: the held-out score of early stopping;
* :func:`check_warm_start_layout`: what ``warm_start`` can continue;

and :func:`descent_attributes` turns what the loop returns into the fitted
attributes, continuing the history of an earlier fit under warm start.
"""

import math

import numpy as np
from sklearn.utils import check_random_state

from ._gd import BallProjection
from ._numba.recurrence import forward
from ._step_size import top_curvature
from ._targets import normalized_weights, weighted_r2

__all__ = [
    "ball_projection",
    "check_warm_start_layout",
    "descent_attributes",
    "initial_curvature",
    "r2_validation",
    "symmetric_initialization",
]


def symmetric_initialization(width, n_features, recurrent_scale, random_state):
    """Draw the symmetric random initialization of Definition 1.

    The first ``width // 2`` neurons get independent draws ``c_i ~ Rad_1``,
    ``w_i ~ Rad_alpha`` (``alpha = recurrent_scale``) and ``U_i ~ N(0, I_d)``;
    neuron ``i + width // 2`` copies ``w_i`` and ``U_i`` and takes ``-c_i``,
    so the network output is identically zero.

    Returns
    -------
    w : ndarray of shape (width,)
    U : ndarray of shape (width, n_features)
    c : ndarray of shape (width,)
    """
    rng = check_random_state(random_state)
    half = width // 2
    c_half = rng.choice(np.array([-1.0, 1.0]), size=half)
    w_half = recurrent_scale * rng.choice(np.array([-1.0, 1.0]), size=half)
    U_half = rng.standard_normal(size=(half, n_features))
    w = np.concatenate([w_half, w_half])
    U = np.concatenate([U_half, U_half])
    c = np.concatenate([c_half, -c_half])
    return w, U, c


def initial_curvature(X, n_fitted_steps, w_init, U_init, c, code, sample_weight=None):
    """Largest curvature of the risk at the initialization (:func:`top_curvature`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_features)
        Training sequences.
    n_fitted_steps : int
        Number of fitted last steps.
    w_init : ndarray of shape (m,)
        Initial recurrent weights.
    U_init : ndarray of shape (m, n_features)
        Initial input weights.
    c : ndarray of shape (m,)
        Readout signs (the first half is used).
    code : int
        Activation code of the Numba kernels.
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Weights of the sequences.

    Returns
    -------
    curvature : float
    """
    return top_curvature(
        X,
        n_fitted_steps,
        w_init,
        np.ascontiguousarray(U_init.T),
        np.ascontiguousarray(c[: w_init.shape[0] // 2]),
        code,
        random_state=0,
        sample_weight=normalized_weights(sample_weight, X.shape[0]),
    )


def ball_projection(w_init, UT_init, radius_w, radius_u):
    """The max-norm projection of projected gradient descent; None without radii.

    ``w_init`` (m,) and ``UT_init`` (d, m) are the initialization; the
    estimator's ``radius_w`` and ``radius_u`` give the radii
    ``radius / sqrt(m)`` of :class:`skrnn._gd.BallProjection`. Both None:
    plain gradient descent, no projection.
    """
    if radius_w is None:
        return None
    root = math.sqrt(w_init.shape[0])
    return BallProjection(w_init, UT_init, radius_w / root, radius_u / root)


def r2_validation(X_val, Y_val, weights_val, c_half, code):
    """The held-out ``R^2`` of the network ``(w, UT)`` as a callable ``score(w, UT)``.

    Parameters
    ----------
    X_val : ndarray of shape (n_val, n_timesteps, n_features)
        Held-out sequences.
    Y_val : ndarray of shape (n_val, n_fitted_steps)
        Their (normalized) targets of the last ``n_fitted_steps`` steps.
    weights_val : ndarray of shape (n_val,) or None
        Their sample weights.
    c_half : ndarray of shape (m // 2,)
        Readout signs of the first half of the neurons.
    code : int
        Activation code of the Numba kernels.

    Returns
    -------
    score : callable
        ``score(w, UT) -> float``.
    """
    X_val = np.ascontiguousarray(X_val)
    first_fitted = X_val.shape[1] - Y_val.shape[1]

    def score(w, UT):
        outputs = forward(X_val, w, UT, c_half, code)[:, first_fitted:]
        return weighted_r2(Y_val, outputs, weights_val)

    return score


def check_warm_start_layout(estimator, previous, n_features):
    """Refuse ``warm_start`` on data of another layout, or at another width, than before.

    ``previous`` is ``(n_features_in_, _input_ndim, _sequence_output)`` of
    the earlier fit, read before the new data was validated.
    """
    layout = (n_features, estimator._input_ndim, estimator._sequence_output)
    if previous != layout or estimator.w_.shape[0] != estimator.width:
        raise ValueError(
            "warm_start=True needs data of the layout of the previous fit (same "
            "features, same kind of y) and the same width; refit with warm_start=False."
        )


def descent_attributes(result, previous=None):
    """Fitted attributes of the estimator from a :func:`skrnn._gd.gradient_descent` result.

    Parameters
    ----------
    result : Bunch
        What the loop returned.
    previous : dict or None, default=None
        Under warm start, the history of the fit this one continues:
        ``n_iter`` (its ``n_iter_``), ``loss_curve`` and ``scores`` (its
        validation scores, or None). The new run's first entries repeat the
        previous run's last ones and are dropped; iteration numbers are
        offset by ``n_iter``.

    Returns
    -------
    attributes : dict
        ``learning_rate_``, ``step_halvings_``, ``loss_curve_``, ``n_iter_``,
        ``best_loss_``, ``train_loss_``, ``validation_scores_``,
        ``best_validation_score_``, ``w_`` and ``U_``.
    """
    loss_curve, n_iter = result.loss_curve, result.n_iter
    halvings, scores = result.halvings, result.validation_scores
    if previous is not None:
        offset = previous["n_iter"]
        loss_curve = np.concatenate([previous["loss_curve"], loss_curve[1:]])
        n_iter, halvings = offset + n_iter, halvings + offset
        if previous["scores"] is not None:
            scores = np.concatenate([previous["scores"], scores[1:]])
    return {
        "learning_rate_": result.learning_rate,
        "step_halvings_": halvings,
        "loss_curve_": loss_curve,
        "n_iter_": n_iter,
        "best_loss_": float(np.min(loss_curve)),
        "train_loss_": result.train_loss,
        "validation_scores_": scores,
        "best_validation_score_": result.best_validation_score,
        "w_": result.w,
        "U_": np.ascontiguousarray(result.UT.T),
    }
