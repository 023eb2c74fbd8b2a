"""How far back does the gradient reach? Vanishing and exploding, measured.

Question: for the loss at the last step of a sequence, how does
``||dL/dh_t||`` shrink (or grow) with the distance ``T - t``, for SimpleRNN,
LSTM and GRU; what sets the rate; and does gradient clipping rescue a
training run that diverges without it?

Used by notebook 02 and ``python -m rnn_keras run gradient-flow``.
"""

import dataclasses

import keras
import numpy as np

from rnn_keras import bptt
from rnn_keras import config
from rnn_keras import models
from rnn_keras import training
from rnn_keras.data import toy
from rnn_keras.experiments import rounded
from rnn_keras.layers import SimpleRNNCell
from rnn_keras.models.common import SCRATCH_CELLS
from rnn_keras.validation import check_choice

SETTINGS = {
    "quick": {"timesteps": 60, "batch": 16, "clip_epochs": 6, "train_epochs": 10},
    "full": {"timesteps": 150, "batch": 64, "clip_epochs": 20, "train_epochs": 20},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"timesteps": 12, "batch": 4, "clip_epochs": 1, "train_epochs": 1,
              "train_n": 128, "train_timesteps": 12},
}


def random_sequences(batch, timesteps, features=8, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    return (scale * rng.normal(size=(batch, timesteps, features))).astype("float32")


def cell_norms(timesteps=100, units=32, batch=16, features=8, seed=0, irnn=False):
    """Gradient norms per step for freshly initialised SimpleRNN, LSTM, GRU.

    All three read the same sequences with Keras's default initialisers
    (Glorot input kernels, orthogonal recurrent kernels, LSTM forget bias 1).
    ``irnn=True`` adds Le et al.'s ReLU cell with an identity recurrent matrix
    (:func:`rnn_keras.experiments.adding_problem.irnn_cell`) as ``"irnn"``.

    Returns ``{cell: (norms, decay_rate)}``.
    """
    from rnn_keras.experiments import adding_problem

    x = random_sequences(batch, timesteps, features, seed=seed)
    out = {}
    makers = dict(SCRATCH_CELLS)
    if irnn:
        makers[adding_problem.IRNN] = adding_problem.irnn_cell
    for name, cls in makers.items():
        keras.utils.set_random_seed(seed)
        cell = cls(units)
        cell.build((None, features))
        norms = bptt.state_gradient_norms(cell, x)
        out[name] = (norms, bptt.decay_rate(norms))
    return out


def trained_cell_norms(timesteps=50, epochs=10, n=5000, seed=0, verbose=0):
    """Gradient norms per step after each cell has learned the adding problem.

    At initialisation the gates of LSTM and GRU sit near 0.5 and do not
    protect the gradient; training teaches them to keep the memory open.
    This measures ``||dL/dh_t||`` on adding-problem sequences after
    ``epochs`` of training, with the same budget for each cell.

    Returns ``{cell: (norms, decay_rate, test_mse)}``.
    """
    from rnn_keras.experiments import adding_problem

    x_test, _ = toy.adding_problem(n=64, timesteps=timesteps, seed=seed + 2000)
    out = {}
    for name in SCRATCH_CELLS:
        model, _, mse = adding_problem.train_cell(name, timesteps, n_train=n, epochs=epochs,
                                                  seed=seed, verbose=verbose)
        norms = bptt.state_gradient_norms(model.get_layer("rnn_1"), x_test)
        out[name] = (norms, bptt.decay_rate(norms), mse)
    return out


def scaled_simple_cell(radius, units=32, features=8, activation="tanh", seed=0):
    """A SimpleRNN cell whose recurrent matrix is orthogonal times ``radius``.

    Every eigenvalue of an orthogonal matrix has modulus 1, so the scaled
    matrix has spectral radius exactly ``radius``.
    """
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(units, units)))
    cell = SimpleRNNCell(units, activation=activation)
    cell.build((None, features))
    cell.kernel.assign(rng.normal(scale=1 / np.sqrt(features), size=(features, units)).astype("float32"))
    cell.recurrent_kernel.assign((radius * q).astype("float32"))
    return cell


def radius_sweep(radii=(0.9, 1.0, 1.1), timesteps=60, activation="tanh", input_scale=0.1,
                 batch=16, seed=0):
    """Decay rate of ``||dL/dh_t||`` against the spectral radius of ``U``.

    With ``activation=None`` (a linear RNN) the rate equals the radius. With
    ``tanh``, each step also multiplies by ``tanh'(z) <= 1``: large inputs
    (``input_scale``) saturate the units and make gradients vanish even when
    the radius is above 1.

    Returns ``{radius: (norms, decay_rate)}``.
    """
    x = random_sequences(batch, timesteps, scale=input_scale, seed=seed)
    out = {}
    for radius in radii:
        cell = scaled_simple_cell(radius, activation=activation, seed=seed)
        norms = bptt.state_gradient_norms(cell, x)
        out[radius] = (norms, bptt.decay_rate(norms))
    return out


CLIPPING = ("none", "global_norm", "value")


@dataclasses.dataclass
class Data:
    """The adding problem the clipping runs train on: ``train`` is ``(x, y)``."""

    train: tuple
    settings: dict


def prepare(profile=None, data_dir=None, seed=0, timesteps=30, n=2000):
    """The clipping runs' data (the gradient-norm analyses make their own inputs)."""
    del data_dir  # generated data only
    s = dict(SETTINGS[config.get_profile(profile)])
    return Data(train=toy.adding_problem(n=n, timesteps=timesteps, seed=seed), settings=s)


def build_model(data=None, *, clip="none", threshold=1.0, learning_rate=0.1, cell="simple"):
    """A SimpleRNN (64 units, from scratch) for the adding problem, compiled with plain
    SGD at a learning rate large enough to diverge. ``clip``: ``"none"``,
    ``"global_norm"`` (the global norm to ``threshold``) or ``"value"`` (each
    gradient entry to ``threshold / 10``). ``cell="irnn"``: the ReLU cell with an
    identity recurrent matrix instead (:func:`rnn_keras.experiments.adding_problem.irnn_model`).
    """
    from rnn_keras.experiments import adding_problem

    del data
    clip = check_choice("clip", clip, CLIPPING)
    cell = check_choice("cell", cell, ("simple", adding_problem.IRNN))
    if cell == adding_problem.IRNN:
        model = adding_problem.irnn_model(64, implementation="scratch")
    else:
        model = models.many_to_one(1, input_dim=2, cell="simple", units=64,
                                   implementation="scratch")
    args = {"none": {}, "global_norm": {"global_clipnorm": threshold},
            "value": {"clipvalue": threshold / 10}}[clip]
    optimizer = bptt.clipped_optimizer("sgd", learning_rate=learning_rate, **args)
    model.compile(optimizer=optimizer, loss="mse")
    return model


def train(data, model, *, seed=None, verbose=0, run_dir=None, name="model", epochs=None,
          callbacks=()):
    """Batch 32, shuffled, no validation; ``seed`` reseeds first when given."""
    if seed is not None:
        keras.utils.set_random_seed(seed)
    x, y = data.train
    return training.fit(model, x, y, epochs=epochs or data.settings["clip_epochs"],
                        batch_size=32, shuffle=True, verbose=verbose, callbacks=callbacks,
                        monitor="loss", restore_best_weights=False, run_dir=run_dir,
                        name=name)


def evaluate(model, data):
    """The final training loss against always answering 1.0 (NaN once diverged)."""
    x, y = data.train
    return {"loss": float(model.evaluate(x, y, verbose=0, batch_size=256)),
            "baseline_mse": toy.ADDING_BASELINE_MSE}


def clipping_runs(epochs=10, timesteps=30, n=2000, learning_rate=0.1, clip=1.0, seed=0,
                  verbose=0, cell="simple", kinds=CLIPPING):
    """Trains the same SimpleRNN three times on the adding problem with plain SGD and
    a large learning rate: without clipping, with global-norm clipping
    (``clip``) and with value clipping (``clip / 10``).

    ``cell="irnn"``: the IRNN instead of the tanh SimpleRNN; ``kinds``: which of
    the three runs to make.

    Returns ``{"none": history, "global_norm": history, "value": history}``,
    each a dict with ``loss`` per epoch (``nan`` once training diverged) and
    ``batch_loss``, the running mean loss after each batch of the first
    epoch (where the blow-up shows).
    """
    data = prepare(seed=seed, timesteps=timesteps, n=n)
    runs = {}
    for name in kinds:
        keras.utils.set_random_seed(seed)
        model = build_model(data, clip=name, threshold=clip, learning_rate=learning_rate,
                            cell=cell)
        batch_loss = []
        record = keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs: batch_loss.append(float(logs["loss"]))
            if len(batch_loss) < n // 32 else None)
        fitted = train(data, model, verbose=verbose, epochs=epochs, callbacks=[record],
                       name=f"clip-{name}")
        history = {k: [np.nan if v is None else v for v in values]
                   for k, values in fitted.history.items()}
        runs[name] = dict(history, batch_loss=batch_loss)
    return runs


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2):
    del data_dir  # generated data only
    s = SETTINGS[config.get_profile(profile)]
    metrics = {}
    print("[gradient-flow] gradient norms per cell ...", flush=True)
    per_cell = cell_norms(timesteps=s["timesteps"], batch=s["batch"], seed=seed)
    for name, (norms, rate) in per_cell.items():
        metrics[f"{name}_decay_rate"] = rate
        metrics[f"{name}_norm_ratio_first_to_last"] = rounded(float(norms[0] / norms[-1]), 3)
    print("[gradient-flow] gradient norms after training on the adding problem ...", flush=True)
    trained = trained_cell_norms(timesteps=s.get("train_timesteps", 50),
                                 epochs=s["train_epochs"], n=s.get("train_n", 5000), seed=seed)
    for name, (norms, rate, mse) in trained.items():
        metrics[f"trained_{name}_decay_rate"] = rate
        metrics[f"trained_{name}_adding_mse"] = mse
    print("[gradient-flow] spectral radius sweep ...", flush=True)
    for activation, input_scale in ((None, 0.1), ("tanh", 0.1), ("tanh", 3.0)):
        sweep = radius_sweep(timesteps=s["timesteps"], activation=activation,
                             input_scale=input_scale, batch=s["batch"], seed=seed)
        label = activation or "linear"
        if input_scale > 1:
            label += "_saturated"
        for radius, (_, rate) in sweep.items():
            metrics[f"{label}_radius_{radius}_decay_rate"] = rate
    print("[gradient-flow] training with and without clipping ...", flush=True)
    runs = clipping_runs(epochs=s["clip_epochs"], seed=seed, verbose=verbose)
    for name, history in runs.items():
        metrics[f"clip_{name}_final_loss"] = history['loss'][-1]
        finite = np.isfinite(history["batch_loss"])
        metrics[f"clip_{name}_first_nonfinite_batch"] = (
            int(np.argmin(finite)) if not finite.all() else None)
    metrics["adding_baseline_mse"] = toy.ADDING_BASELINE_MSE
    if out_dir is not None:
        from rnn_keras import viz

        fig = viz.plot_gradient_norms({
            **{f"{k} (initial)": v[0] for k, v in per_cell.items()},
            **{f"{k} (trained)": v[0] for k, v in trained.items()}})
        fig.savefig(out_dir / "gradient_norms.png", dpi=100)
        fig = viz.plot_histories(runs, log_scale=True)
        fig.savefig(out_dir / "clipping.png", dpi=100)
    return rounded(metrics)
