"""Long memory: the adding problem for SimpleRNN, LSTM and GRU.

Question: as the distance between the two numbers to add grows, which cells
still learn the task? Each cell gets the same budget (same data, epochs,
width, optimiser) at each length; the answer is the test MSE against the
baseline 1/6 = 0.167 of always answering 1.0.

Used by notebook 03 and ``python -m rnn_keras run adding-problem``.
"""

import time

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import models
from rnn_keras.data import toy
from rnn_keras.models.common import CELLS
SETTINGS = {
    "quick": {"lengths": (20, 50), "n_train": 5000, "epochs": 10},
    "full": {"lengths": (50, 100, 200), "n_train": 10000, "epochs": 20},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"lengths": (6, 8), "n_train": 256, "epochs": 1},
}
UNITS = 32
N_TEST = 2000


def build_model(cell, implementation="fused", units=UNITS):
    return models.many_to_one(1, input_dim=2, cell=cell, units=units,
                              implementation=implementation)


def train(cell, timesteps, n_train, epochs, seed=0, implementation="fused", verbose=0):
    """Trains one cell at one length. Returns ``(model, history, test_mse, seconds)``."""
    x, y = toy.adding_problem(n=n_train, timesteps=timesteps, seed=seed)
    x_test, y_test = toy.adding_problem(n=N_TEST, timesteps=timesteps, seed=seed + 1000)
    keras.utils.set_random_seed(seed)
    model = build_model(cell, implementation)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    start = time.perf_counter()
    history = model.fit(x, y, epochs=epochs, batch_size=64, validation_split=0.1,
                        verbose=verbose, shuffle=True)
    seconds = time.perf_counter() - start
    test_mse = float(model.evaluate(x_test, y_test, verbose=0, batch_size=256))
    return model, history.history, test_mse, seconds


def run_table(profile=None, seed=0, verbose=0, cells=CELLS):
    """Trains every cell at every length of the profile.

    Returns ``(rows, models)``: rows of ``{"cell", "timesteps", "test_mse",
    "seconds"}`` and a dict ``(cell, timesteps) -> trained model``.
    """
    s = SETTINGS[config.get_profile(profile)]
    rows, trained = [], {}
    for timesteps in s["lengths"]:
        for cell in cells:
            model, _, mse, seconds = train(cell, timesteps, s["n_train"], s["epochs"],
                                           seed=seed, verbose=verbose)
            print(f"[adding-problem] T={timesteps:<4} {cell:<7} test MSE {mse:.4f} "
                  f"({seconds:.0f} s)", flush=True)
            rows.append({"cell": cell, "timesteps": timesteps, "test_mse": mse,
                         "seconds": seconds})
            trained[(cell, timesteps)] = model
    return rows, trained


def format_table(rows):
    """The results as text: one row per cell, one column per length."""
    lengths = sorted({r["timesteps"] for r in rows})
    cells = list(dict.fromkeys(r["cell"] for r in rows))
    mse = {(r["cell"], r["timesteps"]): r["test_mse"] for r in rows}
    lines = [f"{'test MSE':<10}" + "".join(f"{'T=' + str(t):>10}" for t in lengths)]
    for cell in cells:
        lines.append(f"{cell:<10}" + "".join(f"{mse[(cell, t)]:>10.4f}" for t in lengths))
    lines.append(f"{'baseline':<10}" + "".join(f"{toy.ADDING_BASELINE_MSE:>10.4f}" for _ in lengths))
    return "\n".join(lines)


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=0):
    del data_dir  # generated data only
    rows, trained = run_table(profile=profile, seed=seed, verbose=verbose)
    print(format_table(rows), flush=True)
    metrics = {"baseline_mse": float(f"{toy.ADDING_BASELINE_MSE:.4g}")}
    for r in rows:
        metrics[f"{r['cell']}_T{r['timesteps']}_mse"] = float(f"{r['test_mse']:.4g}")
    if out_dir is not None:
        (out_dir / "table.txt").write_text(format_table(rows) + "\n")
        for (cell, timesteps), model in trained.items():
            model.save(out_dir / f"{cell}_T{timesteps}.keras")
    return metrics
