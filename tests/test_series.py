"""Time series: no leakage, windows that line up, rolling origins, forecast metrics
against hand-computed values, strict Jena reading (rnn_keras.data.series,
rnn_keras.forecasting, rnn_keras.metrics)."""

import numpy as np
import pytest

from rnn_keras import forecasting
from rnn_keras import metrics
from rnn_keras.data import DataCorruptError
from rnn_keras.data import series

pytestmark = pytest.mark.jax


# --- no leakage ------------------------------------------------------------------

def test_a_change_in_the_test_period_changes_neither_scaler_nor_training_windows():
    rng = np.random.default_rng(0)
    values = rng.normal(size=600).cumsum()
    split = series.chronological_split(len(values), validation=100, test=100)
    changed = values.copy()
    changed[split["test"]] *= 10.0  # a wild test period
    changed[split["test"]] += 1e4

    def training_side(v):
        scaler = series.Scaler.fit(v[split["train"]])
        scaled = scaler.transform(v)
        data = series.windows(scaled, scaled, start=0, stop=split["train"].stop,
                              input_width=24, horizon=6, batch_size=1000)
        x, y = next(iter(data))
        return scaler, np.asarray(x), np.asarray(y)

    (s1, x1, y1), (s2, x2, y2) = training_side(values), training_side(changed)
    assert s1.mean == s2.mean and s1.std == s2.std
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    # and the windows really are the training part's: the last target ends at its end
    assert y1.shape == (split["train"].stop - 24 - 6 + 1, 6)


def test_the_split_is_in_time_order_and_takes_counts_or_fractions():
    split = series.chronological_split(100, validation=0.2, test=10)
    assert split == {"train": slice(0, 70), "validation": slice(70, 90), "test": slice(90, 100)}
    with pytest.raises(ValueError, match="leave no training part"):
        series.chronological_split(10, validation=5, test=5)
    with pytest.raises(ValueError, match="`test`"):
        series.chronological_split(10, validation=2, test=-1)


def test_windows_line_up_with_their_targets():
    t = np.arange(200, dtype=np.float64)
    inputs = np.column_stack([t, -t])
    data = series.windows(inputs, 10 * t, start=50, stop=120, input_width=8, horizon=3,
                          batch_size=500)
    x, y = (np.asarray(a) for a in next(iter(data)))
    origins = series.window_origins(50, 120, input_width=8, horizon=3)
    assert len(x) == len(origins) == 120 - 3 - 50 + 1
    # the input ends just before the target starts, both contiguous
    np.testing.assert_array_equal(x[:, -1, 0] + 1, y[:, 0] / 10)
    np.testing.assert_array_equal(np.diff(x[:, :, 0], axis=1), 1)
    np.testing.assert_array_equal(np.diff(y, axis=1), 10)
    assert y.max() == 10 * 119 and y.min() == 10 * 50  # every target inside [50, 120)
    # the numpy twin gives the same windows
    xa, ya = series.window_arrays(inputs, 10 * t, origins, input_width=8, horizon=3)
    np.testing.assert_array_equal(xa, x)
    np.testing.assert_array_equal(ya, y)


def test_window_arrays_refuse_origins_without_history():
    with pytest.raises(ValueError, match="need inputs from -2"):
        series.window_arrays(np.arange(20), np.arange(20), [3], input_width=5, horizon=1)


# --- rolling origins ------------------------------------------------------------

def test_rolling_origin_on_a_pure_weekly_pattern():
    rng = np.random.default_rng(1)
    week = rng.uniform(20_000, 40_000, size=336)
    values = np.tile(week, 6)
    origins = forecasting.rolling_origins(len(values) - 14 * 48, len(values), 48, every=48)
    assert len(origins) == 14 and origins[-1] + 48 == len(values)
    weekly = forecasting.rolling_origin(forecasting.SeasonalNaive(336), values, origins, 48)
    assert weekly.mae() == 0.0  # last week repeats exactly
    daily = forecasting.rolling_origin(forecasting.SeasonalNaive(48), values, origins, 48)
    naive = forecasting.rolling_origin(forecasting.Naive(), values, origins, 48)
    assert daily.mae() > 0 and naive.mae() > 0
    assert weekly.predictions.shape == (14, 48) and weekly.mae_by_horizon().shape == (48,)


def test_a_forecaster_sees_only_the_past():
    seen = []

    class Spy:
        name = "spy"

        def forecast(self, history, horizon):
            seen.append(len(history))
            return np.zeros(horizon)

    values = np.arange(100.0)
    forecasting.rolling_origin(Spy(), values, [40, 60, 97], 3)
    assert seen == [40, 60, 97]
    with pytest.raises(ValueError, match="steps of truth"):
        forecasting.rolling_origin(Spy(), values, [98], 3)


def test_seasonal_naive_repeats_the_last_season_past_it():
    np.testing.assert_array_equal(forecasting.SeasonalNaive(3).forecast([9, 1, 2, 3], 5),
                                  [1, 2, 3, 1, 2])


def test_drift_by_hand():
    # slope (4 - 1) / 2 = 1.5 per step
    np.testing.assert_allclose(forecasting.Drift().forecast([1, 2, 4], 2), [5.5, 7.0])


def test_ridge_on_changes_forecasts_a_random_walk_as_flat():
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=2000)) + 100
    ridge = forecasting.RidgeOnLags(lags=5, horizon=1, level_steps=1).fit(walk[:1500])
    forecast = ridge.forecast(walk[:1800], 1)
    assert abs(forecast[0] - walk[1799]) < 0.2  # a random walk's best forecast: today


def test_ridge_on_lags_learns_a_linear_recurrence():
    t = np.arange(400)
    values = np.sin(2 * np.pi * t / 24) * 5 + 10
    ridge = forecasting.RidgeOnLags(lags=24, horizon=6, alpha=1e-6).fit(values[:300])
    forecast = ridge.forecast(values[:350], 6)
    np.testing.assert_allclose(forecast, values[350:356], atol=1e-3)


def test_arima_on_seasonal_differences_adds_back_last_season():
    values = np.tile(np.arange(10.0), 12) + np.random.default_rng(0).normal(0, 1e-3, 120)
    model = forecasting.ARIMA((1, 0, 0), window=60, seasonal_difference=10)
    np.testing.assert_allclose(model.forecast(values, 5), np.arange(5.0), atol=0.05)


def _double_seasonal(weeks=8, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(weeks * 336)
    day = 1000 * np.sin(2 * np.pi * (t % 48) / 48)
    week = np.array([0, 50, 60, 40, -20, -600, -800])[(t // 48) % 7]
    return 30_000 + day + week + rng.normal(0, noise, len(t)) if noise else 30_000 + day + week


def test_double_seasonal_holt_winters_forecasts_an_exact_double_season_exactly():
    values = _double_seasonal()
    model = forecasting.DoubleSeasonalHoltWinters(48, 336).fit(values[:6 * 336])
    assert all(0 <= p <= 1 for p in model.params)
    forecast = model.forecast(values[:7 * 336 + 5], 48)
    np.testing.assert_allclose(forecast, values[7 * 336 + 5:7 * 336 + 53], atol=1e-6)


def test_double_seasonal_holt_winters_beats_one_season_on_two_seasons_with_noise():
    values = _double_seasonal(weeks=10, noise=100.0)
    origins = forecasting.rolling_origins(8 * 336, 10 * 336, 48, 48)
    taylor = forecasting.DoubleSeasonalHoltWinters(48, 336).fit(values[:8 * 336])
    scores = {name: forecasting.rolling_origin(f, values, origins, 48).mae() for name, f in (
        ("taylor", taylor), ("daily", forecasting.SeasonalNaive(48)),
        ("weekly", forecasting.SeasonalNaive(336)))}
    # weekly naive carries one week's noise (sd 100: MAE ~ 100 * sqrt(2) * 0.8 = 113);
    # smoothing averages it away, the daily naive misses the weekday effect
    assert scores["taylor"] < 0.9 * scores["weekly"] < scores["daily"], scores


def test_double_seasonal_holt_winters_arguments_and_order_of_calls():
    with pytest.raises(ValueError, match="whole number of days"):
        forecasting.DoubleSeasonalHoltWinters(48, 300)
    with pytest.raises(RuntimeError, match="before fit"):
        forecasting.DoubleSeasonalHoltWinters(48, 336).forecast(np.zeros(400), 48)
    with pytest.raises(ValueError, match="at least 672"):
        forecasting.DoubleSeasonalHoltWinters(48, 336).fit(np.zeros(500))


# --- metrics against hand-computed values ----------------------------------------

def test_mase_by_hand():
    # naive differences of the training part: 2, 1, 3 -> scale 2; test MAE (1 + 2) / 2
    assert metrics.mase([4, 6], [5, 4], train=[1, 3, 2, 5]) == pytest.approx(0.75)
    # season 2: |2 - 1|, |5 - 3| -> scale 1.5
    assert metrics.mase([4, 6], [5, 4], train=[1, 3, 2, 5], season=2) == pytest.approx(1.0)


def test_smape_by_hand():
    # 2*10/210 and 2*20/380, averaged, in percent
    assert metrics.smape([100, 200], [110, 180]) == pytest.approx(
        100 * (20 / 210 + 40 / 380) / 2)
    assert metrics.smape([0, 1], [0, 1]) == 0.0


def test_diebold_mariano_by_hand():
    # d = |a| - |b| = -1, 0, 1, 2: mean 0.5, gamma0 1.25, gamma1 0.3125 (n = 4)
    a, b = [1, 2, 3, 4], [2, 2, 2, 2]
    one = metrics.diebold_mariano(a, b, horizon=1)
    assert one["statistic"] == pytest.approx(np.sqrt(0.6))  # 0.5/sqrt(1.25/4)*sqrt(3/4)
    from scipy import stats
    assert one["p_value"] == pytest.approx(2 * stats.t.sf(np.sqrt(0.6), df=3))
    two = metrics.diebold_mariano(a, b, horizon=2)
    assert two["statistic"] == pytest.approx(np.sqrt(0.2))  # 0.5/sqrt(1.875/4)*sqrt(1.5/4)
    # a clearly better forecast: negative statistic, small p
    rng = np.random.default_rng(0)
    good, bad = rng.normal(0, 1, 200), rng.normal(0, 3, 200)
    result = metrics.diebold_mariano(good, bad)
    assert result["statistic"] < 0 and result["p_value"] < 1e-6
    with pytest.raises(ValueError, match="no variance"):
        metrics.diebold_mariano([1, 2, 3], [1, 2, 3])


def test_directional_accuracy_by_hand():
    result = metrics.directional_accuracy([1, -1, 2, 0, -3], [0.5, 0.2, 1, 5, -1])
    assert (result["hits"], result["n"], result["accuracy"]) == (3, 4, 0.75)
    from scipy import stats
    assert result["p_value"] == pytest.approx(stats.binomtest(3, 4, 0.5).pvalue)


# --- loaders ----------------------------------------------------------------------

JENA_HEADER = ('"Date Time","p (mbar)","T (degC)","Tpot (K)","Tdew (degC)","rh (%)",'
               '"VPmax (mbar)","VPact (mbar)","VPdef (mbar)","sh (g/kg)","H2OC (mmol/mol)",'
               '"rho (g/m**3)","wv (m/s)","max. wv (m/s)","wd (deg)"')


def jena_rows(n, start_temperature=-8.0):
    import datetime

    rows = []
    start = datetime.datetime(2009, 1, 1)
    for i in range(n):
        stamp = (start + datetime.timedelta(minutes=10 * (i + 1))).strftime("%d.%m.%Y %H:%M:%S")
        values = [996.5, start_temperature + 0.01 * i, 265.4, -8.9, 93.3, 3.33, 3.11, 0.22,
                  1.94, 3.12, 1307.75, 1.03, 1.75, 152.3]
        rows.append(",".join([stamp] + [f"{v:.2f}" for v in values]))
    return rows


def test_jena_reads_the_published_format(tmp_path):
    path = tmp_path / series.JENA_CSV
    path.write_text("\n".join([JENA_HEADER, *jena_rows(50)]) + "\n")
    loaded = series.load_jena(path=path)
    assert len(loaded) == 50 and loaded.unit == "degC" and loaded.season == 144
    assert loaded.values[0] == pytest.approx(-8.0) and loaded.values[-1] == pytest.approx(-7.51)
    assert set(loaded.columns) == set(series.JENA_COLUMNS)
    assert str(loaded.times[0]) == "2009-01-01T00:10"
    # the data directory is the same switch as for every other loader
    assert len(series.load_jena(data_dir=tmp_path)) == 50


def test_jena_protocol_targets_lie_a_day_after_the_last_input(tmp_path):
    path = tmp_path / series.JENA_CSV
    path.write_text("\n".join([JENA_HEADER, *jena_rows(400)]) + "\n")
    loaded = series.load_jena(path=path)
    parts, scaler = series.jena_protocol(loaded, sampling_rate=2, sequence_length=5,
                                         delay_hours=3)
    x, y = next(iter(parts["train"].unbatch().batch(1000)))
    temperature = scaler.inverse(np.asarray(x)[:, :, :])[:, :, 1]
    # the input steps are 2 apart; the target (unscaled) is 2*(5+3-1) steps after the
    # window's first step, i.e. 2*3 steps after its last
    np.testing.assert_allclose(np.diff(temperature, axis=1), 0.02, atol=1e-9)
    np.testing.assert_allclose(np.asarray(y) - temperature[:, -1], 0.01 * 2 * 3, atol=1e-9)
    assert scaler.mean[1] == pytest.approx(loaded.values[:200].mean())  # the first half


def test_a_malformed_jena_row_names_file_and_line(tmp_path):
    rows = jena_rows(5)
    rows[2] = rows[2].rsplit(",", 1)[0]  # a field short, the 3rd data row = line 4
    path = tmp_path / series.JENA_CSV
    path.write_text("\n".join([JENA_HEADER, *rows]) + "\n")
    with pytest.raises(DataCorruptError, match=r"jena_climate_2009_2016\.csv, line 4: "
                                               r"expected 15"):
        series.load_jena(path=path)
    rows = jena_rows(5)
    rows[0] = rows[0].replace("996.50", "n/a")
    path.write_text("\n".join([JENA_HEADER, *rows]) + "\n")
    with pytest.raises(DataCorruptError, match="line 2"):
        series.load_jena(path=path)
    path.write_text("Date,T\n01.01.2009 00:10:00,1.0\n")
    with pytest.raises(DataCorruptError, match="line 1: expected the Jena header"):
        series.load_jena(path=path)


def test_a_truncated_jena_archive_is_named(tmp_path):
    (tmp_path / series.JENA.filename).write_bytes(b"PK\x03\x04 not the archive")
    with pytest.raises(DataCorruptError, match="bytes, expected 13568290"):
        series.load_jena(data_dir=tmp_path, allow_download=False)


def test_no_jena_says_where_to_put_it(tmp_path):
    from rnn_keras.data import DataNotFoundError

    with pytest.raises(DataNotFoundError, match="jena_climate_2009_2016.csv.zip"):
        series.load_jena(data_dir=tmp_path, allow_download=False)


def test_the_registry_series_are_what_they_say():
    taylor = series.load("taylor")
    assert len(taylor) == 4032 and taylor.season == 336 and taylor.unit == "MW"
    assert str(taylor.times[0]) == "2000-06-05T00:00" and str(taylor.times[-1]).startswith(
        "2000-08-27T23:30")
    sunspots = series.load_sunspots(last_year=1987)
    assert len(sunspots) == 288 and str(sunspots.times[-1]) == "1987"
    msft = series.load("msft")
    assert len(msft) == 7983 and set(msft.columns) >= {"close", "volume"}
    assert np.all(np.diff(msft.times.astype("int64")) > 0)  # in time order
    with pytest.raises(ValueError, match="`series`"):
        series.load("sunspot")


# --- the experiment's forecasters -------------------------------------------------

def test_a_recursive_model_is_rolled_out_on_its_own_forecasts():
    import keras

    from rnn_keras.experiments import timeseries as ts

    data = ts.prepare("smoke", series="taylor")
    # A "model" that forecasts its last input plus one (scaled): rolled out over 48
    # steps, step k must be last + k, which only holds if each forecast is fed back.
    window = keras.Input((336, data.inputs.shape[1]))
    model = keras.Model(window, window[:, -1, :1] + 1.0)
    forecasts = forecasting.rolling_origin(ts.model_forecaster(model, data), data.values,
                                           data.test_origins[:2], 48)
    last = data.scaled(data.values[data.test_origins[:2] - 1])
    expected = data.scaler.inverse(last[:, None] + np.arange(1, 49))
    np.testing.assert_allclose(forecasts.predictions, expected, rtol=1e-5)


def test_the_neural_forecaster_starts_as_the_ridge_model():
    from rnn_keras.experiments import timeseries as ts

    data = ts.prepare("smoke", series="sunspots")
    model = ts.build_model(data, variant="mlp")
    coefficients, intercepts = ts.ridge_on_windows(data)
    x, _ = series.window_arrays(data.inputs, data.inputs[:, 0], data.test_origins,
                                input_width=data.task.input_width, horizon=1)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               x[:, :, 0] @ coefficients + intercepts, atol=1e-4)
    assert not model.get_layer("linear_skip").trainable


def test_forecaster_arguments_are_checked():
    from rnn_keras.models.forecaster import forecaster

    with pytest.raises(ValueError, match="strategy='recursive' forecasts one step"):
        forecaster(12, 1, 4, strategy="recursive")
    with pytest.raises(ValueError, match="not a multiple of steps_per_input=5"):
        forecaster(12, 1, 4, steps_per_input=5)
    with pytest.raises(ValueError, match="`kind`"):
        forecaster(12, 1, 4, kind="transformer")
    with pytest.raises(ValueError, match="is for kind='rnn'"):
        forecaster(12, 1, 4, kind="cnn", strategy="encoder_decoder")


@pytest.mark.slow
def test_the_jena_experiment_runs_on_a_file_in_the_published_format(tmp_path):
    from rnn_keras.experiments import timeseries as ts

    # 50/25/25 with the book's 5-day inputs and 24 h delay needs about 1,600 rows a split
    (tmp_path / series.JENA_CSV).write_text("\n".join([JENA_HEADER, *jena_rows(7000)]) + "\n")
    result = ts.run("smoke", data_dir=tmp_path, series="jena", verbose=0)
    # a temperature rising 0.01 degC per 10 minutes: "now" misses the next day by 1.44
    assert result["naive_test_mae"] == pytest.approx(1.44, abs=0.01)
    assert result["test_mae"] > 0 and result["series"] == "jena"
