"""Long memory: the adding problem for SimpleRNN, LSTM, GRU and the IRNN.

Question: as the distance between the two numbers to add grows, which cells
still learn the task (SimpleRNN, LSTM, GRU, and the IRNN: a ReLU SimpleRNN
started at the identity, its gradient clipped)? Each cell gets the same
budget (same data, epochs, width, optimiser) at each length; the answer is
the test MSE against the baseline 1/6 = 0.167 of always answering 1.0.

Used by notebook 03 and ``python -m rnn_keras run adding-problem``.
"""

import dataclasses

import keras

from rnn_keras import config
from rnn_keras import models
from rnn_keras import training
from rnn_keras.data import toy
from rnn_keras.experiments import rounded
from rnn_keras.layers import SimpleRNNCell
from rnn_keras.models.common import CELLS
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_positive_int

SETTINGS = {
    "quick": {"lengths": (20, 50), "n_train": 5000, "epochs": 10},
    "full": {"lengths": (50, 100, 200), "n_train": 10000, "epochs": 20},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"lengths": (6, 8), "n_train": 256, "epochs": 1},
}
UNITS = 32
N_TEST = 2000
# Le, Jaitly and Hinton (2015)'s IRNN: a ReLU SimpleRNN whose recurrent matrix starts
# as the identity; trained, as there, with the gradient's global norm clipped (to 1).
IRNN = "irnn"
IRNN_CLIPNORM = 1.0


def _irnn_arguments():
    """ReLU, ``U = I``, ``W ~ N(0, 0.001^2)``: fresh initialisers for each layer."""
    return dict(activation="relu", recurrent_initializer=keras.initializers.Identity(),
                kernel_initializer=keras.initializers.RandomNormal(stddev=0.001))


def irnn_cell(units):
    """The IRNN's cell: ``h_t = ReLU(x_t W + h_{t-1} U + b)`` with ``U = I`` and
    ``W ~ N(0, 0.001^2)`` at the start, so a fresh cell copies its state forward
    and the gradient through active units neither shrinks nor grows
    (:class:`rnn_keras.layers.SimpleRNNCell`)."""
    return SimpleRNNCell(units, **_irnn_arguments())


def irnn_model(units=UNITS, input_dim=2, implementation="fused"):
    """A many-to-one regressor around an IRNN (``fused``: Keras's ``SimpleRNN`` with the
    same activation and initialisers; ``scratch``: :func:`irnn_cell` in ``keras.layers.RNN``)."""
    inputs = keras.Input((None, input_dim), name="inputs")
    if check_choice("implementation", implementation, ("fused", "scratch")) == "fused":
        layer = keras.layers.SimpleRNN(units, **_irnn_arguments(), name="rnn_1")
    else:
        layer = keras.layers.RNN(irnn_cell(units), name="rnn_1")
    outputs = keras.layers.Dense(1, name="outputs")(layer(inputs))
    return keras.Model(inputs, outputs, name="irnn")


@dataclasses.dataclass
class Data:
    """The adding problem at one length: ``train`` and ``test`` are ``(x, y)``."""

    train: tuple
    test: tuple
    timesteps: int
    settings: dict


def prepare(profile=None, data_dir=None, seed=0, timesteps=None, n_train=None):
    """The adding problem at one length (default: the profile's first), ``n_train`` sequences.

    Returns a :class:`Data` with ``train`` and ``test`` arrays ``(x, y)``
    (10% of train is held out for validation by ``fit``) and the settings.
    """
    del data_dir  # generated data only
    s = dict(SETTINGS[config.get_profile(profile)])
    timesteps = check_positive_int("timesteps", timesteps or s["lengths"][0])
    n_train = check_positive_int("n_train", n_train or s["n_train"])
    return Data(train=toy.adding_problem(n=n_train, timesteps=timesteps, seed=seed),
                test=toy.adding_problem(n=N_TEST, timesteps=timesteps, seed=seed + 1000),
                timesteps=timesteps, settings=s)


def build_model(data=None, *, cell="gru", implementation="fused", units=UNITS):
    """A many-to-one regressor over (value, marker) steps, compiled (Adam 3e-3, MSE).

    ``cell``: ``"simple"``, ``"lstm"``, ``"gru"`` or ``"irnn"`` (:func:`irnn_model`;
    its gradient's global norm clipped to :data:`IRNN_CLIPNORM`, as Le et al. train it).
    """
    if data is not None and not isinstance(data, Data):
        raise TypeError(f"build_model takes the Data of prepare() (or None), got {data!r}; "
                        "pass the cell as a keyword: build_model(cell='lstm').")
    if cell == IRNN:
        model = irnn_model(units, implementation=implementation)
        optimizer = keras.optimizers.Adam(3e-3, global_clipnorm=IRNN_CLIPNORM)
    else:
        model = models.many_to_one(1, input_dim=2, cell=cell, units=units,
                                   implementation=implementation)
        optimizer = keras.optimizers.Adam(3e-3)
    model.compile(optimizer=optimizer, loss="mse")
    return model


def train(data, model, *, seed=None, verbose=0, run_dir=None, name="model", epochs=None):
    """The profile's epochs, batch 64, 10% of train for validation (last weights kept).

    ``seed``: reseeds before the fit when given (``None``: the caller has
    seeded, before building the model).
    """
    if seed is not None:
        keras.utils.set_random_seed(seed)
    x, y = data.train
    return training.fit(model, x, y, epochs=epochs or data.settings["epochs"], batch_size=64,
                        validation_split=0.1, shuffle=True, verbose=verbose,
                        restore_best_weights=False, run_dir=run_dir, name=name)


def evaluate(model, data):
    """Test MSE against always answering 1.0 (1/6)."""
    x_test, y_test = data.test
    return {"test_mse": float(model.evaluate(x_test, y_test, verbose=0, batch_size=256)),
            "baseline_mse": toy.ADDING_BASELINE_MSE}


def train_cell(cell, timesteps, *, n_train=None, epochs=None, profile=None, seed=0,
               implementation="fused", verbose=0, run_dir=None):
    """prepare, build, train and evaluate one cell at one length (the profile's budget
    unless ``n_train``/``epochs`` are given: the gradient-flow experiment uses its own).

    Returns ``(model, Training, test_mse)``.
    """
    data = prepare(profile, seed=seed, timesteps=timesteps, n_train=n_train)
    keras.utils.set_random_seed(seed)
    model = build_model(data, cell=cell, implementation=implementation)
    fitted = train(data, model, verbose=verbose, run_dir=run_dir, name=f"{cell}-T{timesteps}",
                   epochs=epochs)
    return model, fitted, evaluate(model, data)["test_mse"]


def run_table(profile=None, seed=0, verbose=0, cells=CELLS, run_dir=None):
    """Trains every cell at every length of the profile.

    Returns ``(rows, models)``: rows of ``{"cell", "timesteps", "test_mse",
    "seconds"}`` and a dict ``(cell, timesteps) -> trained model``.
    """
    s = SETTINGS[config.get_profile(profile)]
    rows, trained = [], {}
    for timesteps in s["lengths"]:
        for cell in cells:
            model, fitted, mse = train_cell(cell, timesteps, profile=profile, seed=seed,
                                            verbose=verbose, run_dir=run_dir)
            seconds = fitted.seconds
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


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2):
    del data_dir  # generated data only
    rows, trained = run_table(profile=profile, seed=seed, verbose=verbose, run_dir=out_dir,
                              cells=CELLS + (IRNN,))
    print(format_table(rows), flush=True)
    metrics = {"baseline_mse": toy.ADDING_BASELINE_MSE}
    for r in rows:
        metrics[f"{r['cell']}_T{r['timesteps']}_mse"] = r["test_mse"]
    if out_dir is not None:
        (out_dir / "table.txt").write_text(format_table(rows) + "\n")
        for (cell, timesteps), model in trained.items():
            training.save_model(model, out_dir / f"{cell}_T{timesteps}.keras")
    return rounded(metrics)
