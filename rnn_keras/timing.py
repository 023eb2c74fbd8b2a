"""Timing helpers shared by notebooks, experiments and benchmarks."""

import time

from rnn_keras.validation import check_positive_int


def train_step_seconds(model, x, y, repeats=10, loss="mse", optimizer="adam"):
    """Mean wall time of one ``train_on_batch`` step, after two warm-up steps.

    The warm-up steps absorb tracing and compilation, so the number is the
    steady-state cost of a step. The model is compiled here.
    """
    check_positive_int("repeats", repeats)
    model.compile(optimizer=optimizer, loss=loss)
    model.train_on_batch(x, y)
    model.train_on_batch(x, y)
    start = time.perf_counter()
    for _ in range(repeats):
        model.train_on_batch(x, y)
    return (time.perf_counter() - start) / repeats


def predict_seconds(model, x, repeats=10):
    """Mean wall time of one ``predict_on_batch`` call, after two warm-up calls."""
    check_positive_int("repeats", repeats)
    model.predict_on_batch(x)
    model.predict_on_batch(x)
    start = time.perf_counter()
    for _ in range(repeats):
        model.predict_on_batch(x)
    return (time.perf_counter() - start) / repeats
