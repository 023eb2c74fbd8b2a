"""Forecasting: the baselines a forecaster would use, and rolling-origin evaluation.

A *forecaster* here is anything with ``forecast(history, horizon) ->
(horizon,) array``: ``history`` is the series up to the origin (the values
before the first step to forecast), never a value after it. Every method,
from the naive forecast to a trained network (:class:`ModelForecaster`), is
scored the same way by :func:`rolling_origin`: at each origin, forecast
``horizon`` steps from the history alone, compare with the truth.

Baselines (Hyndman and Athanasopoulos, *Forecasting: Principles and
Practice*, ch. 5, 8, 9):

- :class:`Naive`: the last value, repeated (the random walk for prices);
- :class:`SeasonalNaive`: the value one season earlier (same time yesterday,
  same time last week);
- :class:`RidgeOnLags`: a linear model of the last ``lags`` values, one
  output per horizon step (scikit-learn ``Ridge``), fitted once on the
  training part;
- :class:`HoltWinters`: additive seasonal exponential smoothing
  (``statsmodels``), refitted at each origin on a window of recent history;
- :class:`DoubleSeasonalHoltWinters`: Taylor's (2003) exponential smoothing
  of a level, a daily and a weekly season (the method made for half-hourly
  demand), parameters fitted once on the training part;
- :class:`ARIMA`: an ARIMA(p, d, q), optionally on seasonal differences
  ``y_t - y_{t-s}`` (a SARIMA(p, d, q)(0, 1, 0)_s, fitted without a
  seasonal state so that ``s = 336`` stays fast), refitted at each origin.
"""

import dataclasses
import warnings

import numpy as np

from rnn_keras.validation import check_nonnegative
from rnn_keras.validation import check_positive_int


def _history(history, needed, name):
    history = np.asarray(history, dtype=np.float64)
    if history.ndim != 1 or len(history) < needed:
        raise ValueError(f"{name} needs a 1-D history of at least {needed} values, got shape "
                         f"{history.shape}.")
    return history


class Naive:
    """The last observed value for every step ahead."""

    name = "naive (last value)"

    def forecast(self, history, horizon):
        return np.repeat(_history(history, 1, "Naive")[-1], horizon)


class Drift:
    """The last value plus the average change of the history per step ahead
    (the random walk with drift): ``y[T + k] = y[T] + k (y[T] - y[1]) / (T - 1)``."""

    name = "drift (last value + average change)"

    def forecast(self, history, horizon):
        history = _history(history, 2, "Drift")
        slope = (history[-1] - history[0]) / (len(history) - 1)
        return history[-1] + slope * np.arange(1, horizon + 1)


class SeasonalNaive:
    """``y[t + k] = y[t + k - season]`` (repeating the last season for horizons past it)."""

    def __init__(self, season, name=None):
        self.season = check_positive_int("season", season)
        self.name = name or f"seasonal naive (lag {season})"

    def forecast(self, history, horizon):
        history = _history(history, self.season, "SeasonalNaive")
        last = history[-self.season:]
        return np.resize(last, horizon) if horizon > self.season else last[:horizon].copy()


class RidgeOnLags:
    """Ridge regression from the last ``lags`` values to the next ``horizon`` (direct).

    Fitted by :meth:`fit` on every window whose targets lie in the training
    part, on values scaled by the training part's mean and deviation.
    ``level_steps``: subtract the mean of the window's last ``level_steps``
    values from its lags and targets (``1``: a model of changes from the
    last value, the right form for prices).
    """

    def __init__(self, lags, horizon, alpha=1.0, level_steps=None, name=None):
        self.lags = check_positive_int("lags", lags)
        self.level_steps = check_positive_int("level_steps", level_steps, allow_none=True)
        self.horizon = check_positive_int("horizon", horizon)
        self.alpha = check_nonnegative("alpha", alpha)
        self.name = name or f"ridge on {lags} lags"
        self._model = None

    def fit(self, train):
        from sklearn.linear_model import Ridge

        train = _history(train, self.lags + self.horizon, "RidgeOnLags.fit")
        self.mean, self.std = train.mean(), train.std() or 1.0
        z = (train - self.mean) / self.std
        windows = np.lib.stride_tricks.sliding_window_view(z, self.lags + self.horizon)
        x, y = windows[:, :self.lags], windows[:, self.lags:]
        level = self._level(x)
        self._model = Ridge(alpha=self.alpha).fit(x - level, y - level)
        return self

    def _level(self, x):
        if self.level_steps is None:
            return 0.0
        return x[:, -self.level_steps:].mean(axis=1, keepdims=True)

    def forecast(self, history, horizon):
        if self._model is None:
            raise RuntimeError("RidgeOnLags.forecast before fit(train): fit it on the "
                               "training part first.")
        if horizon != self.horizon:
            raise ValueError(f"this model forecasts {self.horizon} steps, asked for {horizon}.")
        z = (_history(history, self.lags, "RidgeOnLags")[-self.lags:] - self.mean) / self.std
        level = self._level(z[None])
        z = self._model.predict(z[None] - level) + level
        return z.reshape(self.horizon) * self.std + self.mean


class HoltWinters:
    """Additive Holt-Winters (no trend) refitted on the last ``window`` values at each origin."""

    def __init__(self, season, window, trend=None, name=None):
        self.season = check_positive_int("season", season)
        self.window = check_positive_int("window", window)
        self.trend = trend
        self.name = name or f"Holt-Winters (season {season}, last {window})"

    def forecast(self, history, horizon):
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        recent = _history(history, self.window, "HoltWinters")[-self.window:]
        with warnings.catch_warnings():  # convergence chatter of the optimiser
            warnings.simplefilter("ignore")
            fitted = ExponentialSmoothing(recent, trend=self.trend, seasonal="add",
                                          seasonal_periods=self.season).fit()
        return np.asarray(fitted.forecast(horizon))


class DoubleSeasonalHoltWinters:
    """Taylor's (2003) double seasonal exponential smoothing, additive, with an AR(1) adjustment.

    For a series with two seasons, a day of ``s1`` steps inside a week of
    ``s2`` (half-hourly demand: 48 and 336), a level ``L``, a daily index
    ``D`` and a weekly index ``W`` are smoothed step by step:

    .. math::
        L_t &= \\alpha (y_t - D_{t-s_1} - W_{t-s_2}) + (1 - \\alpha) L_{t-1} \\\\
        D_t &= \\delta (y_t - L_t - W_{t-s_2}) + (1 - \\delta) D_{t-s_1} \\\\
        W_t &= \\omega (y_t - L_t - D_{t-s_1}) + (1 - \\omega) W_{t-s_2} \\\\
        \\hat y_t(k) &= L_t + D_{t-s_1+k} + W_{t-s_2+k} + \\phi^k e_t

    with ``e_t = y_t - (L_{t-1} + D_{t-s_1} + W_{t-s_2})`` the last one-step
    error (Taylor's first-order autocorrelation adjustment). Taylor's paper
    writes the two seasons multiplicatively; this is the additive form (the
    seasons of demand are small against its level, so the two are close).
    As in this module's :class:`HoltWinters`, no trend term. The four parameters
    ``(alpha, delta, omega, phi)`` in [0, 1] minimise the one-step squared
    errors of the adjusted forecast on the series given to :meth:`fit`
    (the training part; initial states from its first week); each forecast
    then runs the smoothing over the whole history with those parameters.

    Reference: J. W. Taylor, "Short-term electricity demand forecasting
    using double seasonal exponential smoothing", Journal of the Operational
    Research Society 54 (2003) 799-805.
    """

    def __init__(self, day, week, name=None):
        self.day = check_positive_int("day", day)
        self.week = check_positive_int("week", week)
        if week % day:
            raise ValueError(f"`week` ({week}) must be a whole number of days of {day} steps.")
        self.name = name or f"double seasonal Holt-Winters (Taylor 2003; {day} and {week})"
        self.params = None

    def _initial(self, y):
        s1, s2 = self.day, self.week
        level = sum(y[:s2]) / s2
        daily = [sum(y[d * s1 + j] for d in range(s2 // s1)) / (s2 // s1) - level
                 for j in range(s1)]
        weekly = [y[i] - level - daily[i % s1] for i in range(s2)]
        return level, daily, weekly

    def _smooth(self, y, params):
        """Runs the smoothing over ``y`` (a list); returns the final state and the SSE."""
        alpha, delta, omega, phi = params
        s1, s2 = self.day, self.week
        level, daily, weekly = self._initial(y)
        error, sse = 0.0, 0.0
        for t in range(s2, len(y)):
            value, i, j = y[t], t % s1, t % s2
            d, w = daily[i], weekly[j]
            e = value - level - d - w
            adjusted = e - phi * error
            sse += adjusted * adjusted
            new_level = alpha * (value - d - w) + (1 - alpha) * level
            daily[i] = delta * (value - new_level - w) + (1 - delta) * d
            weekly[j] = omega * (value - new_level - d) + (1 - omega) * w
            level, error = new_level, e
        return (level, daily, weekly, error, len(y)), sse

    def fit(self, train):
        from scipy.optimize import minimize

        train = _history(train, 2 * self.week, "DoubleSeasonalHoltWinters.fit")
        y = train.tolist()
        scale = float(np.var(train[self.week:] - train[:-self.week])) or 1.0  # week-on-week
        objective = lambda p: self._smooth(y, p)[1] / scale / len(y)  # noqa: E731
        starts = ([0.05, 0.1, 0.1, 0.5], [0.3, 0.3, 0.3, 0.9])
        best = min((minimize(objective, x0, method="L-BFGS-B", bounds=[(0, 1)] * 4)
                    for x0 in starts), key=lambda r: r.fun)
        self.params = tuple(float(v) for v in best.x)
        return self

    def forecast(self, history, horizon):
        if self.params is None:
            raise RuntimeError("DoubleSeasonalHoltWinters.forecast before fit(train): fit "
                               "it on the training part first.")
        y = _history(history, self.week + 1, "DoubleSeasonalHoltWinters").tolist()
        (level, daily, weekly, error, n), _ = self._smooth(y, self.params)
        phi = self.params[3]
        t = n - 1
        return np.array([level + daily[(t + k) % self.day] + weekly[(t + k) % self.week]
                         + phi ** k * error for k in range(1, horizon + 1)])


class ARIMA:
    """ARIMA(``order``) on the last ``window`` values, or on their seasonal differences.

    With ``seasonal_difference=s`` the model is fitted to ``d_t = y_t -
    y_{t-s}`` and the forecast is ``y_{t-s} + d̂_t``: a SARIMA(p, d, q)(0, 1,
    0)_s.
    """

    def __init__(self, order, window, seasonal_difference=None, name=None):
        self.order = tuple(order)
        self.window = check_positive_int("window", window)
        self.seasonal_difference = seasonal_difference
        s = seasonal_difference
        self.name = name or (f"ARIMA{self.order}" if not s else
                             f"SARIMA{self.order}(0,1,0)[{s}]")

    def forecast(self, history, horizon):
        from statsmodels.tsa.arima.model import ARIMA as _ARIMA

        s = self.seasonal_difference or 0
        history = _history(history, self.window + s, "ARIMA")
        if s and horizon > s:
            raise ValueError(f"seasonal differences of lag {s} forecast at most {s} steps, "
                             f"asked for {horizon}.")
        recent = history[-self.window:]
        target = recent - history[-self.window - s:len(history) - s] if s else recent
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = _ARIMA(target, order=self.order).fit()
        forecast = np.asarray(fitted.forecast(horizon))
        return history[len(history) - s:len(history) - s + horizon] + forecast if s else forecast


class ModelForecaster:
    """A trained Keras model behind the forecaster interface (see ``rnn_keras.experiments.timeseries``).

    ``predict_batch(histories) -> (n, horizon)``: the model's forecasts for a
    batch of histories, in the series' unit; :func:`rolling_origin` calls it
    once for all origins.
    """

    def __init__(self, predict_batch, name):
        self.predict_batch = predict_batch
        self.name = name

    def forecast(self, history, horizon):
        return self.predict_batch([np.asarray(history)], horizon)[0]


@dataclasses.dataclass
class Forecasts:
    """The forecasts of one method at every origin, with the truth.

    Attributes:
        name: the method.
        origins: ``(n,)`` indices of the first forecast step.
        predictions, truth: ``(n, horizon)``.
    """

    name: str
    origins: np.ndarray
    predictions: np.ndarray
    truth: np.ndarray

    @property
    def errors(self):
        return self.predictions - self.truth

    def mae(self):
        return float(np.abs(self.errors).mean())

    def mae_by_horizon(self):
        return np.abs(self.errors).mean(axis=0)

    def mae_by_origin(self):
        return np.abs(self.errors).mean(axis=1)


def rolling_origins(start, stop, horizon, every):
    """Origins ``start, start + every, ...`` whose ``horizon`` steps end by ``stop``."""
    return np.arange(start, stop - horizon + 1, check_positive_int("every", every))


def rolling_origin(forecaster, values, origins, horizon):
    """Forecasts ``horizon`` steps from each origin with only the history before it.

    Args:
        forecaster: a baseline above or a :class:`ModelForecaster`.
        values: ``(T,)`` the whole series (the method sees ``values[:o]``).
        origins: first forecast steps.
        horizon: steps ahead.

    Returns:
        :class:`Forecasts`.
    """
    values = np.asarray(values, dtype=np.float64)
    origins = np.asarray(origins, dtype=int)
    if len(origins) == 0 or origins.min() < 1 or origins.max() + horizon > len(values):
        raise ValueError(f"origins must lie in [1, {len(values) - horizon}] so that "
                         f"{horizon} steps of truth follow each; got {origins.tolist()[:5]}...")
    if isinstance(forecaster, ModelForecaster):
        predictions = np.asarray(forecaster.predict_batch([values[:o] for o in origins],
                                                          horizon))
    else:
        predictions = np.stack([forecaster.forecast(values[:o], horizon) for o in origins])
    if predictions.shape != (len(origins), horizon):
        raise ValueError(f"{forecaster.name} returned forecasts of shape {predictions.shape}, "
                         f"expected {(len(origins), horizon)} (one row of {horizon} steps per "
                         "origin).")
    truth = np.stack([values[o:o + horizon] for o in origins])
    return Forecasts(forecaster.name, origins, predictions.astype(np.float64), truth)
