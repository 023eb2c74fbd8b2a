"""Forecasting real series: do recurrent networks beat the forecasters' baselines?

Question: on a real series, scored on a test period that no step of the
fitting saw, rolled forward origin by origin, how far do an RNN, a 1-D CNN
and an MLP get against what a forecaster would use first (the naive and
seasonal naive forecasts, a ridge model on lags, Holt-Winters, ARIMA), and
is the difference more than noise (Diebold-Mariano)?

Series (``series=``):

- ``"taylor"``: electricity demand, half-hourly; forecast the next day (48
  steps) at every midnight of the last two weeks from the last week (336
  steps); validation is the two weeks before.
- ``"sunspots"``: yearly 1700-1987, one year ahead, Zhang's (2003) protocol:
  the last 67 (and, in a second fit, the last 35) years held out.
- ``"msft"``: Microsoft's daily close; forecast the next day's log price
  (that is, the log return) from the last 20 days of returns and volume;
  the last 20% of days are the test, the 10% before validation. Scored
  against the random walk (tomorrow = today), with the direction of the move
  tested against a coin.
- ``"jena"``: the Jena weather record on *Deep Learning with Python*'s
  protocol (needs the file; see :func:`rnn_keras.data.series.load_jena`).

Every neural model is :func:`rnn_keras.models.forecaster.forecaster` with a
level offset and a linear skip that starts as the ridge model on lags
(fitted on the training windows): the network learns what the linear model
misses, so at the first step it *is* the ridge model, and early stopping on
the validation period decides how far it moves (Zhang 2003's hybrid of a
linear and a nonlinear model; LSTNet's highway).

Used by notebook 09 and ``python -m rnn_keras run timeseries --series S``.
"""

import dataclasses
import re
import time

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import forecasting
from rnn_keras import metrics
from rnn_keras import training
from rnn_keras.data import series as series_data
from rnn_keras.experiments import rounded
from rnn_keras.models.forecaster import forecaster
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_option

SERIES = ("taylor", "sunspots", "msft", "jena")

# The neural variants: name -> builder arguments (the cell and implementation are the run's).
VARIANTS = {
    "mlp": dict(kind="mlp"),
    "cnn": dict(kind="cnn"),
    "rnn": dict(kind="rnn", strategy="direct"),
    "rnn-recursive": dict(kind="rnn", strategy="recursive"),
    "rnn-encoder-decoder": dict(kind="rnn", strategy="encoder_decoder"),
}

SETTINGS = {
    # Notebook 09 in about a minute and a half on 2 cores: one seed, shorter training, every
    # third training window, and no refitted ARIMA (its numbers are in docs/results.md).
    "quick": {"variants": ("mlp", "cnn", "rnn"), "seeds": (0,), "epochs": 15, "patience": 4,
              "window_every": 3, "units": 32, "holt_winters": True, "arima": False, "refit": True,
              "jena_epochs": 2},
    "full": {"variants": tuple(VARIANTS), "seeds": (0, 1, 2), "epochs": 100, "patience": 10,
             "window_every": 1, "units": 64, "holt_winters": True, "arima": True, "refit": True,
             "jena_epochs": 50},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    # Two variants, so that the pick of the best network on validation is tested.
    "smoke": {"variants": ("mlp", "rnn"), "seeds": (0,), "epochs": 1, "patience": 1,
              "window_every": 8, "units": 8, "holt_winters": False, "arima": False, "refit": True,
              "jena_epochs": 1},
}


@dataclasses.dataclass(frozen=True)
class Task:
    """How one series is forecast and scored."""

    input_width: int          # steps of history a model reads
    horizon: int              # steps forecast from each origin
    every: int                # steps between test origins
    validation: object        # steps (int) or fraction of the series
    test: object
    season: int               # seasonal naive / MASE season
    level_steps: object       # steps whose mean is the level offset (None: none)
    steps_per_input: int = 1  # steps an RNN reads as one (a day of half-hours)
    calendar: object = None   # steps per day, for time-of-day/day-of-week inputs
    log: bool = False         # forecast the log of the series (prices)
    volume: bool = False      # add log volume changes as an input (prices)
    ridge_alpha: float = 1.0


TASKS = {
    "taylor": Task(input_width=336, horizon=48, every=48, validation=14 * 48, test=14 * 48,
                   season=336, level_steps=48, steps_per_input=48, calendar=48),
    "sunspots": Task(input_width=11, horizon=1, every=1, validation=20, test=67, season=1,
                     level_steps=None, ridge_alpha=1.0),
    "msft": Task(input_width=20, horizon=1, every=1, validation=0.1, test=0.2, season=1,
                 level_steps=1, log=True, volume=True, ridge_alpha=10.0),
}

# Zhang (2003), "Time series forecasting using a hybrid ARIMA and neural network model",
# Neurocomputing 50, Table 1 (yearly sunspots 1700-1987, one step ahead), as quoted by the
# papers that compare with it: holdout -> model -> (MSE, MAE).
ZHANG_2003 = {
    35: {"ARIMA": (216.965, 11.319), "ANN": (205.302, 10.243), "Hybrid": (186.827, 10.831)},
    67: {"ARIMA": (306.08, 13.033), "ANN": (351.19, 13.544), "Hybrid": (280.16, 12.780)},
}

# Deep Learning with Python (2nd ed., ch. 10), Jena, 24 h ahead from 5 days, test MAE in degC:
# references from the book, not results of this package.
JENA_REFERENCES = {"naive (temperature now)": 2.62, "LSTM with dropout": 2.45,
                   "stacked GRU with dropout": 2.39}


@dataclasses.dataclass
class Data:
    """One series, split and scaled, with what the models read.

    ``values``: the series forecast (log prices for ``msft``); ``split``:
    slices ``train``/``validation``/``test``; ``scaler``: fitted on the
    training part; ``inputs``: ``(T, features)`` model inputs (the scaled
    series first); ``test_origins``: the rolling origins.
    """

    name: str
    series: series_data.Series
    task: Task
    values: np.ndarray
    split: dict
    scaler: series_data.Scaler
    inputs: np.ndarray
    test_origins: np.ndarray
    settings: dict

    @property
    def train_values(self):
        return self.values[self.split["train"]]

    def scaled(self, values):
        return (np.asarray(values, dtype=np.float64) - self.scaler.mean) / self.scaler.std


def _calendar(n, steps_per_day):
    """Time of day (sine, cosine) and day of week (one-hot) of steps ``0..n-1``."""
    t = np.arange(n)
    phase = 2 * np.pi * (t % steps_per_day) / steps_per_day
    weekday = np.eye(7)[(t // steps_per_day) % 7]
    return np.column_stack([np.sin(phase), np.cos(phase), weekday])


def prepare(profile=None, data_dir=None, seed=0, series="taylor", holdout=None,
            input_width=None, volume=None):
    """Loads ``series``, splits it in time order, fits the scaler on the training part.

    ``holdout``: for ``sunspots``, the years held out (35 or 67, Zhang's two
    protocols; default 67). ``input_width`` and ``volume`` change the task's
    window length and (for ``msft``) whether volume changes are an input.
    """
    del seed  # the data do not depend on it
    s = dict(SETTINGS[config.get_profile(profile)])
    name = check_option(check_choice, "series", series, SERIES)
    if name == "jena":
        return _prepare_jena(data_dir, s)
    task = TASKS[name]
    if name == "sunspots":
        raw = series_data.load_sunspots(last_year=1987)
        holdout = 67 if holdout is None else holdout
        if holdout not in ZHANG_2003:
            raise ValueError(f"Received an invalid value for argument `holdout`: {holdout!r}. "
                             f"Expected one of {sorted(ZHANG_2003)} (Zhang 2003's protocols).")
        task = dataclasses.replace(task, test=holdout)
    else:
        raw = series_data.load(name)
    if input_width is not None:
        task = dataclasses.replace(task, input_width=input_width)
    if volume is not None:
        task = dataclasses.replace(task, volume=bool(volume) and name == "msft")
    values = np.log(raw.values) if task.log else raw.values.astype(np.float64)
    split = series_data.chronological_split(len(values), validation=task.validation,
                                            test=task.test)
    train = values[split["train"]]
    # Scale by the training part: the level and spread of the values, or, for prices,
    # the spread of the daily changes (the level of a log price carries no information).
    scaler = (series_data.Scaler(np.float64(train[-1]), np.float64(np.diff(train).std()))
              if task.log else series_data.Scaler.fit(train))
    columns = [scaler.transform(values)]
    if task.calendar:
        columns.extend(_calendar(len(values), task.calendar).T)
    if task.volume:
        change = np.diff(np.log(raw.columns["volume"] + 1.0), prepend=np.nan)
        change[0] = 0.0
        columns.append(series_data.Scaler.fit(change[split["train"]]).transform(change))
    inputs = np.column_stack(columns).astype(np.float32)
    test = split["test"]
    origins = forecasting.rolling_origins(test.start, test.stop, task.horizon, task.every)
    return Data(name, raw, task, values, split, scaler, inputs, origins, s)


def windows(data, part, *, horizon=None, batch_size=32, shuffle=False, seed=0):
    """``(input window, target window)`` datasets of one split (targets inside it).

    ``part``: ``"train"``, ``"validation"`` or ``"fit"`` (train and validation
    together); ``horizon``: 1 for a recursive model. Training windows start
    every ``window_every`` steps of the profile.
    """
    task = data.task
    stop = {"train": data.split["train"].stop, "validation": data.split["validation"].stop,
            "fit": data.split["validation"].stop}[part]
    start = data.split["validation"].start if part == "validation" else 0
    horizon = horizon or task.horizon
    dataset = series_data.windows(data.inputs, data.inputs[:, 0], start=start, stop=stop,
                                  input_width=task.input_width, horizon=horizon,
                                  batch_size=batch_size)
    every = data.settings["window_every"] if part != "validation" else 1
    count = len(series_data.window_origins(start, stop, input_width=task.input_width,
                                           horizon=horizon)[::every])
    import tensorflow as tf  # the input pipeline is tf.data on every backend

    dataset = dataset.unbatch()
    if every > 1:
        dataset = dataset.shard(every, 0)
    if shuffle:  # windows of this split only, in a new order every epoch
        dataset = dataset.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).apply(tf.data.experimental.assert_cardinality(
        -(-count // batch_size)))


def ridge_on_windows(data, part="train", horizon=None):
    """The ridge model on lags of the level-offset series, fitted on ``part``'s windows.

    Returns ``(coefficients (input_width, horizon), intercepts (horizon,))`` in
    the model's units: the weights of the linear skip.
    """
    from sklearn.linear_model import Ridge

    task = data.task
    horizon = horizon or task.horizon
    stop = data.split["train" if part == "train" else "validation"].stop
    origins = series_data.window_origins(0, stop, input_width=task.input_width,
                                         horizon=horizon)
    x, y = series_data.window_arrays(data.inputs[:, 0], data.inputs[:, 0], origins,
                                     input_width=task.input_width, horizon=horizon)
    if task.level_steps:
        level = x[:, -task.level_steps:].mean(axis=1, keepdims=True)
        x, y = x - level, y - level
    ridge = Ridge(alpha=task.ridge_alpha).fit(x, y)
    coefficients = np.asarray(ridge.coef_).reshape(horizon, task.input_width).T
    return (coefficients.astype(np.float32),
            np.asarray(ridge.intercept_).reshape(horizon).astype(np.float32))


def build_model(data, *, variant="rnn", cell="gru", implementation="fused",
                bidirectional=False, learning_rate=1e-3):
    """The neural forecaster ``variant`` (a key of :data:`VARIANTS`), compiled (Adam, MAE).

    Its linear skip is set to the ridge model of the training windows and
    frozen; the network's output layer starts at zero, so before training
    the model forecasts what the ridge model does.
    """
    if data.name == "jena":
        return _build_jena(data, cell=cell, implementation=implementation)
    variant = check_choice("variant", variant, tuple(VARIANTS))
    task = data.task
    arguments = dict(VARIANTS[variant])
    horizon = 1 if arguments.get("strategy") == "recursive" else task.horizon
    if arguments["kind"] == "rnn":
        arguments.update(cell=cell, implementation=implementation,
                         bidirectional=bidirectional,
                         steps_per_input=task.steps_per_input, num_layers=2, dropout=0.2)
    model = forecaster(task.input_width, data.inputs.shape[1], horizon,
                       units=data.settings["units"], level_steps=task.level_steps,
                       linear_skip=True, name=variant.replace("-", "_"), **arguments)
    skip = model.get_layer("linear_skip")
    skip.set_weights(list(ridge_on_windows(data, "train", horizon)))
    skip.trainable = False
    head = model.get_layer("forecast" if arguments.get("strategy") != "encoder_decoder"
                           else "per_step")
    head.set_weights([np.zeros_like(w) for w in head.get_weights()])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mae")
    return model


def _model_horizon(model):
    return int(model.output_shape[-1])


def train(data, model, *, seed=None, verbose=0, run_dir=None, name="model", epochs=None):
    """Selects the number of epochs on the validation period, then (with the profile's
    ``refit``) trains again on everything before the test.

    1. Fits on the training windows; early stopping on the validation
       windows (the profile's patience) finds the best epoch ``E``.
    2. ``refit``: the model goes back to its initial weights, its linear skip
       becomes the ridge model of all windows before the test (as the ridge
       baseline is), and it trains ``E`` epochs on the training and
       validation windows, a fresh optimizer. The test is never seen.

    Returns the :class:`rnn_keras.training.Training` of the last fit; the
    selection's is its ``selection`` attribute (the same object without refit).
    ``seed`` reseeds first when given (``None``: the caller has seeded).
    """
    if data.name == "jena":
        return _train_jena(data, model, seed=seed, verbose=verbose, run_dir=run_dir,
                           name=name, epochs=epochs)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    s = data.settings
    horizon = _model_horizon(model)
    initial = model.get_weights()
    selection = training.fit(
        model, windows(data, "train", horizon=horizon, shuffle=True, seed=seed or 0),
        validation_data=windows(data, "validation", horizon=horizon),
        epochs=epochs or s["epochs"], patience=s["patience"], monitor="val_loss",
        restore_best_weights=True, shuffle=False, verbose=verbose, run_dir=run_dir,
        name=f"{name}-select")
    selection.selection = selection
    selection.weights = model.get_weights()  # the selected epoch, fitted on the training part
    if not s["refit"]:
        return selection
    model.set_weights(initial)
    if any(layer.name == "linear_skip" for layer in model.layers):
        model.get_layer("linear_skip").set_weights(list(ridge_on_windows(data, "fit",
                                                                         horizon)))
    model.compile(optimizer=keras.optimizers.Adam(float(model.optimizer.learning_rate)),
                  loss="mae")
    final = training.fit(
        model, windows(data, "fit", horizon=horizon, shuffle=True, seed=seed or 0),
        epochs=selection.best_epoch, restore_best_weights=False, monitor="loss",
        shuffle=False, verbose=verbose, run_dir=run_dir, name=f"{name}-refit")
    final.selection = selection
    return final


def model_forecaster(model, data, name=None):
    """A trained model as a :class:`rnn_keras.forecasting.ModelForecaster` (unit of the series).

    A one-step model (``strategy="recursive"``) is rolled out: each forecast
    becomes the last input of the next step (calendar inputs are known ahead;
    other covariates are not, so a recursive model takes none).
    """
    task = data.task
    width = task.input_width
    one_step = _model_horizon(model) == 1

    def predict_batch(histories, horizon):
        origins = [len(h) for h in histories]
        x = np.stack([data.inputs[o - width:o] for o in origins]).astype(np.float32)
        # the series channel from the histories themselves (the past only)
        x[:, :, 0] = np.stack([data.scaled(h[-width:]) for h in histories])
        if not one_step or horizon == 1:
            z = model.predict(x, verbose=0, batch_size=256)[:, :horizon]
        else:
            if task.volume:
                raise ValueError("a recursive model cannot be rolled out over covariates "
                                 "that are unknown ahead (volume); forecast directly.")
            origins = np.array(origins)
            # the calendar of the steps ahead is known; the series channel is the forecast
            calendar = (_calendar(origins.max() + horizon, task.calendar) if task.calendar
                        else None)
            z = np.zeros((len(origins), horizon), np.float32)
            for k in range(horizon):
                z[:, k] = model.predict(x, verbose=0, batch_size=256)[:, 0]
                step = np.empty((len(origins), x.shape[2]), np.float32)
                step[:, 0] = z[:, k]
                if calendar is not None:
                    step[:, 1:] = calendar[origins + k]
                x = np.concatenate([x[:, 1:], step[:, None, :]], axis=1)
        return data.scaler.inverse(z)

    return forecasting.ModelForecaster(predict_batch, name or model.name)


def baselines(data, part="test"):
    """The forecasters' baselines of the series, fitted on the history before ``part``.

    ``part="test"``: fitted on everything before the test (training and
    validation parts), the models scored on the test; ``"validation"``:
    fitted on the training part only, for scoring on the validation part
    (where the contenders are picked).
    """
    task = data.task
    train = data.values[:data.split[check_choice("part", part, ("test", "validation"))].start]
    out = [forecasting.Naive()]
    if data.name == "msft":
        out[0].name = "random walk (tomorrow = today)"
        out.append(forecasting.Drift())
    if data.name == "taylor":
        out += [forecasting.SeasonalNaive(48, "seasonal naive (same time yesterday)"),
                forecasting.SeasonalNaive(336, "seasonal naive (same time last week)")]
    ridge = forecasting.RidgeOnLags(
        task.input_width, task.horizon, alpha=task.ridge_alpha,
        level_steps=1 if task.log else None,
        name=f"ridge on the last {task.input_width} " + ("changes" if task.log else "steps"))
    out.append(ridge.fit(train))
    if data.name == "taylor" and data.settings["holt_winters"]:
        out.append(forecasting.HoltWinters(336, 4 * 336, name="Holt-Winters (weekly season, "
                                                               "last 4 weeks)"))
        out.append(forecasting.DoubleSeasonalHoltWinters(
            48, 336, name="double seasonal Holt-Winters (Taylor 2003)").fit(train))
    if data.settings["arima"]:
        if data.name == "taylor":
            out.append(forecasting.ARIMA((2, 0, 1), 4 * 336, seasonal_difference=336))
        elif data.name == "sunspots":
            out.append(forecasting.ARIMA((9, 0, 0), data.split["train"].stop,
                                         name="ARIMA(9,0,0) (Zhang's)"))
    return out


def score(forecasts, data):
    """MAE, MASE (season of the task, scale from the training part), sMAPE, MSE."""
    train = data.train_values
    errors = forecasts.errors
    out = {"mae": forecasts.mae(),
           "mase": metrics.mase(forecasts.truth, forecasts.predictions, train,
                                data.task.season),
           "mse": float((errors ** 2).mean())}
    if not data.task.log:  # sMAPE of positive levels only (not of log prices or returns)
        out["smape"] = metrics.smape(forecasts.truth, forecasts.predictions)
    return out


def evaluate(model, data, *, forecasts=None):
    """Rolling-origin scores of ``model`` on the test period; ``forecasts`` adds the
    baselines' :class:`rnn_keras.forecasting.Forecasts` to compare (computed if ``None``)."""
    if data.name == "jena":
        return _evaluate_jena(model, data)
    task = data.task
    mine = forecasting.rolling_origin(model_forecaster(model, data), data.values,
                                      data.test_origins, task.horizon)
    out = {"model": score(mine, data)}
    if forecasts is None:
        forecasts = [forecasting.rolling_origin(b, data.values, data.test_origins, task.horizon)
                     for b in baselines(data)]
    for f in forecasts:
        out[f.name] = score(f, data)
    if data.name == "msft":
        out["model"].update(direction(mine, data))
    return out


def direction(forecasts, data):
    """Directional accuracy of one-step forecasts (up or down from the last value),
    with the exact binomial test against a coin (50%)."""
    last = data.values[forecasts.origins - 1]
    return metrics.directional_accuracy(forecasts.truth[:, 0] - last,
                                        forecasts.predictions[:, 0] - last)


@dataclasses.dataclass
class Comparison:
    """Every method on one series: scores, forecasts, trained models.

    ``rows``: one per method, ``{"method", "kind", "val_mae", "mae", "mase",
    "mse", ["smape"], "mae_std", "seconds"}`` (``kind`` "baseline", "skip",
    "neural" or "ensemble"; ``val_mae``: the MAE on the validation part of
    the method fitted on the training part only, rolled over validation
    origins; the other scores are the test's. Neural rows: the mean over
    seeds, and the spread ``mae_std``; with several seeds an "ensemble" row
    per variant scores the seeds' averaged forecasts; the "skip" row is the
    networks' frozen linear skip alone, what a network forecasts before it
    trains). ``forecasts``: method -> test Forecasts (neural: the first
    seed's); ``models``: variant -> the first seed's model; ``trainings``:
    variant -> that model's Training.

    ``test``: the Diebold-Mariano test, on the test's daily (per-origin)
    errors, of the neural model against the baseline **picked on the
    validation part** (lowest ``val_mae`` of each kind; the test never
    picks a contender); ``skip_test``: the same neural model against the
    skip it carries (does the network add anything to its linear part?).
    """

    data: Data
    rows: list
    forecasts: dict
    models: dict
    trainings: dict
    test: dict
    skip_test: dict = None

    def row(self, method):
        return next(r for r in self.rows if r["method"] == method)

    def best(self, kind, on="validation"):
        """The row of ``kind`` with the lowest MAE ``on`` the validation part (the pick)
        or the test (``on="test"``: for description only, never for a choice)."""
        key = {"validation": "val_mae", "test": "mae"}[on]
        return min((r for r in self.rows if r["kind"] == kind), key=lambda r: r[key])


SKIP = "linear skip alone (ridge, the networks' units)"


def _validation_origins(data):
    part = data.split["validation"]
    return forecasting.rolling_origins(part.start, part.stop, data.task.horizon,
                                       data.task.every)


def _roll(forecaster, data, origins):
    return forecasting.rolling_origin(forecaster, data.values, origins, data.task.horizon)


def skip_forecasters(data):
    """The linear skip alone, as a network carries it: ``(validation, test)`` forecasters.

    An untrained direct network (its output layer at zero) forecasts level
    + skip: for validation the skip is the ridge of the training windows
    (what the selection step trains with), for the test that of every window
    before the test (what the refitted network carries).
    """
    forecasters = []
    for part in ("train", "fit"):
        model = build_model(data, variant="mlp")
        model.get_layer("linear_skip").set_weights(list(ridge_on_windows(data, part)))
        forecasters.append(model_forecaster(model, data, SKIP))
    return tuple(forecasters)


def compare(data, *, variants=None, seeds=None, cell="gru", implementation="fused",
            bidirectional=False, verbose=0, run_dir=None):
    """Scores the baselines and trains and scores each neural variant with each seed.

    Every method gets a validation MAE (fitted on the training part, rolled
    over the validation origins) and the test scores (fitted on everything
    before the test). The contenders of the Diebold-Mariano tests are picked
    on the validation MAE.
    """
    s = data.settings
    variants = variants or s["variants"]
    seeds = seeds if seeds is not None else s["seeds"]
    validation_origins = _validation_origins(data)
    rows, forecasts, models, trainings = [], {}, {}, {}
    for picked, baseline in zip(baselines(data, "validation"), baselines(data, "test")):
        start = time.perf_counter()
        f = _roll(baseline, data, data.test_origins)
        forecasts[f.name] = f
        rows.append({"method": f.name, "kind": "baseline",
                     "val_mae": _roll(picked, data, validation_origins).mae(), **score(f, data),
                     "seconds": time.perf_counter() - start})
    on_validation, on_test = skip_forecasters(data)
    f = _roll(on_test, data, data.test_origins)
    forecasts[SKIP] = f
    rows.append({"method": SKIP, "kind": "skip",
                 "val_mae": _roll(on_validation, data, validation_origins).mae(),
                 **score(f, data), "seconds": 0.0})
    for variant in variants:
        if variant == "rnn-recursive" and data.task.horizon == 1:
            continue  # one step ahead, recursive and direct are the same model
        per_seed = []
        for seed in seeds:
            keras.utils.set_random_seed(seed)
            model = build_model(data, variant=variant, cell=cell,
                                implementation=implementation, bidirectional=bidirectional)
            fitted = train(data, model, verbose=verbose, run_dir=run_dir,
                           name=f"{data.name}-{variant}-seed{seed}")
            final = model.get_weights()
            model.set_weights(fitted.selection.weights)  # trained on the training part only
            val_mae = _roll(model_forecaster(model, data, variant), data,
                            validation_origins).mae()
            model.set_weights(final)
            f = _roll(model_forecaster(model, data, variant), data, data.test_origins)
            per_seed.append(({"val_mae": val_mae, **score(f, data)}, fitted.seconds, f))
            if seed == seeds[0]:
                forecasts[variant], models[variant], trainings[variant] = f, model, fitted
        mean = {k: float(np.mean([p[0][k] for p in per_seed])) for k in per_seed[0][0]}
        rows.append({"method": variant, "kind": "neural", **mean,
                     "mae_std": float(np.std([p[0]["mae"] for p in per_seed])),
                     "seeds": len(seeds), "seconds": float(np.mean([p[1] for p in per_seed]))})
        if len(seeds) > 1:  # the seeds' forecasts averaged: an ensemble, reported apart
            first = per_seed[0][2]
            average = forecasting.Forecasts(
                f"{variant} (average of {len(seeds)} seeds' forecasts)", first.origins,
                np.mean([p[2].predictions for p in per_seed], axis=0), first.truth)
            forecasts[average.name] = average
            rows.append({"method": average.name, "kind": "ensemble", "val_mae": mean["val_mae"],
                         **score(average, data),
                         "seconds": float(np.sum([p[1] for p in per_seed]))})
        if verbose:
            print(f"[timeseries] {data.name} {variant:<20} validation MAE {mean['val_mae']:.4g}, "
                  f"test MAE {mean['mae']:.4g} (mean of {len(seeds)} seeds)", flush=True)
    comparison = Comparison(data, rows, forecasts, models, trainings, {})
    best_neural, best_baseline = comparison.best("neural"), comparison.best("baseline")
    comparison.test = _dm(forecasts, best_neural["method"], best_baseline["method"])
    comparison.skip_test = _dm(forecasts, best_neural["method"], SKIP)
    return comparison


def _dm(forecasts, model, baseline):
    test = metrics.diebold_mariano(forecasts[model].mae_by_origin(),
                                   forecasts[baseline].mae_by_origin())
    test.update(model=model, baseline=baseline)
    return test


def format_table(comparison):
    """The comparison as text, best validation MAE first within each kind.

    ``val MAE`` is where the contenders are picked (methods fitted on the
    training part); the other columns are the test's.
    """
    data = comparison.data
    unit = "log USD" if data.task.log else data.series.unit
    columns = ["val_mae", "mae", "mase", "mse"] + (
        ["smape"] if "smape" in comparison.rows[0] else [])
    titles = {"val_mae": "val MAE", "mae": "MAE", "mase": "MASE", "mse": "MSE",
              "smape": "sMAPE %"}
    header = f"{'method':<54}" + "".join(f"{titles[c]:>11}" for c in columns) + \
        f"{'seconds':>9}"
    times = data.series.times
    span = {part: f"{times[data.split[part].start]} .. {times[data.split[part].stop - 1]}"
            for part in ("validation", "test")}
    lines = [f"{data.name}: validation {span['validation']} ({len(_validation_origins(data))} "
             f"origins), test {span['test']} ({len(data.test_origins)} origins), horizon "
             f"{data.task.horizon}, MAE in {unit}", header]
    for kind in ("baseline", "skip", "neural", "ensemble"):
        for r in sorted((r for r in comparison.rows if r["kind"] == kind),
                        key=lambda r: r["val_mae"]):
            name = r["method"] + (f" (mean of {r['seeds']})" if kind == "neural" else "")
            lines.append(f"{name:<54}" + "".join(f"{r[c]:>11.4g}" for c in columns)
                         + f"{r['seconds']:>9.1f}")
    return "\n".join(lines)


def slug(method):
    """A method's name as a JSON key: ``"seasonal naive (same time last week)"`` ->
    ``"seasonal_naive_same_time_last_week"``."""
    return "_".join(re.findall(r"[a-z0-9]+", method.lower()))


def headline(comparison):
    """The JSON line's metrics of one comparison."""
    t = comparison.test
    out = {f"{slug(r['method'])}_mae": r["mae"] for r in comparison.rows}
    out.update({f"{slug(r['method'])}_val_mae": r["val_mae"] for r in comparison.rows})
    out.update({"best_neural": t["model"], "best_baseline": t["baseline"],
                "best_neural_mae": comparison.row(t["model"])["mae"],
                "best_baseline_mae": comparison.row(t["baseline"])["mae"],
                "picked_on": "validation",
                "dm_statistic": t["statistic"], "dm_p_value": t["p_value"]})
    if comparison.skip_test is not None:
        out.update({"skip_mae": comparison.row(SKIP)["mae"],
                    "dm_vs_skip_statistic": comparison.skip_test["statistic"],
                    "dm_vs_skip_p_value": comparison.skip_test["p_value"]})
    if comparison.data.name == "sunspots":
        out.update({f"{slug(r['method'])}_mse": r["mse"] for r in comparison.rows})
    if comparison.data.name == "msft":
        d = direction(comparison.forecasts[t["model"]], comparison.data)
        up = direction_of_always_up(comparison.data)
        out.update(direction_accuracy=d["accuracy"], direction_p_value=d["p_value"],
                   always_up_accuracy=up["accuracy"])
    return out


def zhang_table(comparison, holdout):
    """This run's MSE and MAE on the sunspot holdout beside Zhang's (2003) Table 1."""
    title = f"yearly sunspots, last {holdout} years, one year ahead"
    lines = [f"{title:<53} {'MSE':>9} {'MAE':>8}"]
    for name, (mse, mae) in ZHANG_2003[holdout].items():
        lines.append(f"  Zhang (2003) {name:<38} {mse:>9.2f} {mae:>8.3f}")
    for r in sorted(comparison.rows, key=lambda r: r["mse"]):
        lines.append(f"  this run: {r['method'][:41]:<41} {r['mse']:>9.2f} {r['mae']:>8.3f}")
    return "\n".join(lines)


def direction_of_always_up(data):
    """The strongest trivial direction forecast: "up", every day (markets drift upwards)."""
    origins = data.test_origins
    moves = data.values[origins] - data.values[origins - 1]
    return metrics.directional_accuracy(moves, np.ones_like(moves))


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2, series="taylor",
        cell=None, implementation=None, bidirectional=None):
    """Every baseline and every neural variant of the profile on ``series``.

    ``seed``: the first seed (the profile gives how many). For ``sunspots``
    both of Zhang's holdouts (67 and 35 years) are fitted and scored.
    """
    name = check_option(check_choice, "series", series, SERIES)
    if name == "jena":
        return _run_jena(profile, data_dir, out_dir, seed, verbose, cell=cell,
                         implementation=implementation)
    variant = dict(cell=cell or "gru", implementation=implementation or "fused",
                   bidirectional=bool(bidirectional))
    out = {"series": name}
    for holdout in ((67, 35) if name == "sunspots" else (None,)):
        data = prepare(profile, data_dir, seed, series=name, holdout=holdout)
        seeds = tuple(seed + k for k in range(len(data.settings["seeds"])))
        comparison = compare(data, seeds=seeds, verbose=verbose, run_dir=out_dir, **variant)
        table = format_table(comparison)
        print(table, flush=True)
        suffix = f"_{holdout}" if holdout else ""
        out.update({k + suffix: v for k, v in headline(comparison).items()})
        if name == "msft" and data.settings["arima"]:  # full profile: does more input help?
            for label, change in (("no_volume", dict(volume=False)),
                                  ("last_day_only", dict(input_width=1))):
                other = prepare(profile, data_dir, seed, series=name, **change)
                extra = compare(other, variants=("rnn",), seeds=seeds, verbose=verbose,
                                run_dir=out_dir, **variant)
                print(f"[timeseries] msft rnn, {label}: MAE {extra.row('rnn')['mae']:.5g}",
                      flush=True)
                out[f"rnn_{label}_mae"] = extra.row("rnn")["mae"]
        if out_dir is not None:
            (out_dir / f"table{suffix}.txt").write_text(table + "\n")
            for v, model in comparison.models.items():
                training.save_model(model, out_dir / f"{name}{suffix}-{v}.keras")
    return rounded(out)


# --- Jena: Deep Learning with Python's protocol ---------------------------------------

@dataclasses.dataclass
class JenaData:
    """The Jena record on the book's protocol: ``parts`` are tf.data datasets."""

    name: str
    series: series_data.Series
    parts: dict
    scaler: series_data.Scaler
    settings: dict


def _prepare_jena(data_dir, settings):
    loaded = series_data.load_jena(data_dir=data_dir)
    parts, scaler = series_data.jena_protocol(loaded)
    return JenaData("jena", loaded, parts, scaler, settings)


def _build_jena(data, *, cell="lstm", implementation="fused"):
    """The book's recurrent model: one recurrent layer of 32 with recurrent dropout 0.25,
    dropout 0.5, a linear output; RMSprop, MSE, MAE logged."""
    from rnn_keras.models.common import recurrent_layer

    inputs = keras.Input((None, len(series_data.JENA_COLUMNS)))
    x = recurrent_layer(cell, 32, implementation, return_sequences=False,
                        recurrent_dropout=0.25)(inputs)
    x = keras.layers.Dropout(0.5)(x)
    model = keras.Model(inputs, keras.layers.Dense(1)(x), name=f"jena_{cell}")
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def _train_jena(data, model, *, seed, verbose, run_dir, name, epochs):
    if seed is not None:
        keras.utils.set_random_seed(seed)
    return training.fit(model, data.parts["train"], validation_data=data.parts["validation"],
                        epochs=epochs or data.settings["jena_epochs"],
                        monitor="val_mae", patience=5, shuffle=False, verbose=verbose,
                        run_dir=run_dir, name=name)


def _naive_jena(data, part):
    """MAE of "the temperature 24 h from now is the temperature now" on ``part``."""
    total, count = 0.0, 0
    mean, std = data.scaler.mean[1], data.scaler.std[1]
    for x, y in data.parts[part]:
        now = np.asarray(x)[:, -1, 1] * std + mean
        total += float(np.abs(now - np.asarray(y)).sum())
        count += len(now)
    return total / count


def _evaluate_jena(model, data):
    _, mae = model.evaluate(data.parts["test"], verbose=0)
    return {"test_mae": float(mae), "naive_test_mae": _naive_jena(data, "test"),
            "book_references": JENA_REFERENCES}


def _run_jena(profile, data_dir, out_dir, seed, verbose, cell=None, implementation=None):
    data = prepare(profile, data_dir, seed, series="jena")
    keras.utils.set_random_seed(seed)
    model = build_model(data, cell=cell or "lstm", implementation=implementation or "fused")
    train(data, model, verbose=verbose, run_dir=out_dir, name="jena")
    scores = _evaluate_jena(model, data)
    if out_dir is not None:
        training.save_model(model, out_dir / "jena.keras")
    return rounded({"series": "jena", "test_mae": scores["test_mae"],
                    "naive_test_mae": scores["naive_test_mae"]})
