"""Real time series, split in time order, scaled on the past, cut into windows.

Loaders (each returns a :class:`Series`):

- :func:`load_taylor`: half-hourly electricity demand of England and Wales,
  Monday 5 June to Sunday 27 August 2000 (Taylor 2003), 4,032 values in MW;
  shipped by ``pmdarima`` (``pmdarima.datasets.load_taylor``).
- :func:`load_sunspots`: yearly sunspot numbers 1700-2008 (``statsmodels``),
  or monthly 1749-1983 (``pmdarima``).
- :func:`load_msft`: Microsoft's daily prices 1986-2017, 7,983 trading days,
  open/high/low/close/volume (``pmdarima.datasets.load_msft``).
- :func:`load_jena`: the Jena climate record (14 weather variables every 10
  minutes, 2009-2016) that *Deep Learning with Python* and the TensorFlow and
  keras.io weather tutorials use: from ``jena_climate_2009_2016.csv`` or its
  zip in the data directory, else the public archive, else a clear error.
  Rows are read strictly: a malformed row is an error naming the file and line.

The three rules that keep a forecast honest live here, so no notebook has to
get them right by hand:

1. :func:`chronological_split`: train, validation, test in time order, never
   shuffled across;
2. :class:`Scaler`: fitted on the training part only;
3. :func:`windows` / :func:`window_arrays`: an input window ends where its
   target begins; every target of a split's windows lies inside that split
   (inputs may reach back into earlier splits: that is the past, known at
   the forecast's origin).
"""

import csv
import dataclasses
import datetime
import io
import pathlib
import zipfile

import numpy as np

from rnn_keras.data import sources
from rnn_keras.data.errors import DataCorruptError
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_positive_int

NAMES = ("taylor", "sunspots", "msft", "jena")

JENA = sources.Archive(
    name="Jena climate 2009-2016 (jena_climate_2009_2016.csv.zip)",
    filename="jena_climate_2009_2016.csv.zip",
    url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
        "jena_climate_2009_2016.csv.zip",
    # No checksum of this file is published with it, and none could be measured
    # on these offline machines: the file is checked by its size (the one the
    # TensorFlow tutorial's download shows) and by reading every row strictly.
    sha256=None,
    folder="jena_climate",
    size=13_568_290,
)
JENA_CSV = "jena_climate_2009_2016.csv"
JENA_COLUMNS = ("p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)",
                "VPact (mbar)", "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)",
                "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)", "wd (deg)")


@dataclasses.dataclass(frozen=True)
class Series:
    """One real series: the values to forecast and what they are.

    Attributes:
        name: short name (``"taylor"``, ``"sunspots"``, ``"msft"``, ``"jena"``).
        values: ``(T,)`` float64, the target series.
        times: ``(T,)`` ``datetime64`` time stamps.
        unit: the unit of ``values`` (MAE is reported in it).
        season: steps of one season, for the seasonal naive forecast and
            MASE (1: no fixed season, the naive forecast is the last value).
        steps_per_day: sampling steps per day (``None`` for yearly data).
        columns: other columns, ``name -> (T,) array`` (prices, weather...).
        source: where the values came from.
    """

    name: str
    values: np.ndarray
    times: np.ndarray
    unit: str
    season: int
    steps_per_day: object
    columns: dict
    source: str

    def __len__(self):
        return len(self.values)


def load(name, data_dir=None, **options):
    """The series called ``name`` (one of :data:`NAMES`); ``options`` go to its loader."""
    loader = {"taylor": load_taylor, "sunspots": load_sunspots, "msft": load_msft,
              "jena": load_jena}[check_choice("series", name, NAMES)]
    if name == "jena":
        options["data_dir"] = data_dir
    return loader(**options)


def _registry(module, what):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{what} ships with the `{module.split('.')[0]}` package; install it "
                          f"with `pip install {module.split('.')[0]}` (it is in rnn-keras's "
                          "dependencies).") from error


def load_taylor():
    """Half-hourly electricity demand, England and Wales, 5 June - 27 August 2000 (MW).

    Season: one week (336 half-hours); demand also repeats daily (48).
    """
    datasets = _registry("pmdarima.datasets", "The Taylor (2003) electricity series")
    values = np.asarray(datasets.load_taylor(), dtype=np.float64)
    start = np.datetime64("2000-06-05T00:00")  # a Monday
    times = start + np.arange(len(values)) * np.timedelta64(30, "m")
    return Series("taylor", values, times, "MW", season=336, steps_per_day=48, columns={},
                  source="pmdarima.datasets.load_taylor (Taylor 2003)")


def load_sunspots(frequency="yearly", last_year=None):
    """Sunspot numbers: yearly 1700-2008 (``statsmodels``) or monthly 1749-1983 (``pmdarima``).

    Args:
        frequency: ``"yearly"`` or ``"monthly"``.
        last_year: keep the years up to this one (Zhang 2003 used 1700-1987).
    """
    frequency = check_choice("frequency", frequency, ("yearly", "monthly"))
    if frequency == "yearly":
        data = _registry("statsmodels.datasets.sunspots", "The yearly sunspot series")
        frame = data.load_pandas().data
        years = frame["YEAR"].to_numpy().astype(int)
        values = frame["SUNACTIVITY"].to_numpy(dtype=np.float64)
        times = np.array([f"{y:04d}" for y in years], dtype="datetime64[Y]")
        source = "statsmodels.datasets.sunspots"
    else:
        datasets = _registry("pmdarima.datasets", "The monthly sunspot series")
        values = np.asarray(datasets.load_sunspots(), dtype=np.float64)
        times = np.datetime64("1749-01") + np.arange(len(values)).astype("timedelta64[M]")
        source = "pmdarima.datasets.load_sunspots"
    if last_year is not None:
        keep = times.astype("datetime64[Y]").astype(int) + 1970 <= int(last_year)
        values, times = values[keep], times[keep]
    return Series("sunspots", values, times, "sunspots", season=1, steps_per_day=None,
                  columns={}, source=source)


def load_msft():
    """Microsoft's daily prices, 13 March 1986 - 10 November 2017 (US dollars, split-adjusted).

    ``values`` is the close; ``columns`` has ``open``, ``high``, ``low``,
    ``close`` and ``volume``. Season 1: the naive forecast of a price is the
    random walk, tomorrow = today.
    """
    datasets = _registry("pmdarima.datasets", "The MSFT price series")
    frame = datasets.load_msft()
    columns = {c.lower(): frame[c].to_numpy(dtype=np.float64)
               for c in ("Open", "High", "Low", "Close", "Volume")}
    times = frame["Date"].to_numpy().astype("datetime64[D]")
    return Series("msft", columns["close"], times, "USD", season=1, steps_per_day=None,
                  columns=columns, source="pmdarima.datasets.load_msft")


# --- Jena climate ------------------------------------------------------------

def read_jena_csv(text, origin="<csv>"):
    """Parses the Jena climate CSV: a ``"Date Time"`` column then the 14 of :data:`JENA_COLUMNS`.

    Returns ``(times, columns)``: ``datetime64[m]`` stamps (``dd.mm.yyyy
    HH:MM:SS``) and ``{name: (T,) float64}``. Raises
    :class:`DataCorruptError` naming ``origin`` and the line for a wrong
    header, a row with the wrong number of fields, a bad date or a value that
    is not a number.
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    expected = ["Date Time", *JENA_COLUMNS]
    if header is None or [h.strip() for h in header] != expected:
        raise DataCorruptError(f"{origin}, line 1: expected the Jena header {expected}, got "
                               f"{header!r}. Replace the file with a fresh copy of {JENA.url}.")
    times, rows = [], []
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(expected):
            raise DataCorruptError(f"{origin}, line {number}: expected {len(expected)} "
                                   f"comma-separated fields, got {len(row)}: {row!r}.")
        try:
            stamp = datetime.datetime.strptime(row[0], "%d.%m.%Y %H:%M:%S")
            rows.append([float(v) for v in row[1:]])
        except ValueError as error:
            raise DataCorruptError(f"{origin}, line {number}: {error} in {row!r}.") from None
        times.append(np.datetime64(stamp, "m"))
    if not rows:
        raise DataCorruptError(f"{origin}: no data rows after the header.")
    table = np.asarray(rows, dtype=np.float64)
    return np.array(times), {name: table[:, i] for i, name in enumerate(JENA_COLUMNS)}


def _jena_text(path):
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / JENA_CSV
    if path.suffix == ".zip":
        sources.verify(path, JENA.sha256, JENA)  # its size: no checksum is published
        try:
            with zipfile.ZipFile(path) as archive:
                return archive.read(JENA_CSV).decode("utf-8"), f"{path}:{JENA_CSV}"
        except (zipfile.BadZipFile, KeyError) as error:
            raise DataCorruptError(f"{path}: not the Jena archive ({error}); replace it with a "
                                   f"fresh copy of {JENA.url}.") from None
    return path.read_text(encoding="utf-8"), str(path)


def load_jena(data_dir=None, allow_download=True, path=None):
    """The Jena climate record; ``values`` is the temperature (°C), every 10 minutes.

    Looks for ``jena_climate_2009_2016.csv`` (or the ``.zip``) in ``path``
    or the data directory, then downloads the public archive (bounded
    timeout), else raises :class:`DataNotFoundError`. ``columns`` holds all
    14 variables. Season: one day (144 steps).
    """
    if path is None:
        from rnn_keras import config

        folder = config.get_data_dir(data_dir)
        if folder is not None and (pathlib.Path(folder) / JENA_CSV).is_file():
            path = pathlib.Path(folder) / JENA_CSV
        else:
            path = sources.resolve(JENA, data_dir, allow_download=allow_download)
    text, origin = _jena_text(path)
    times, columns = read_jena_csv(text, origin)
    return Series("jena", columns["T (degC)"], times, "degC", season=144, steps_per_day=144,
                  columns=columns, source=str(path))


def jena_protocol(series, sampling_rate=6, sequence_length=120, delay_hours=24):
    """*Deep Learning with Python*'s weather protocol (2nd ed., ch. 10).

    One sample an hour (``sampling_rate=6`` ten-minute steps), inputs of the
    last 5 days (120 hourly steps) of all 14 variables, target the
    temperature 24 hours after the last input, splits 50/25/25 in time order,
    variables scaled with the training half's mean and deviation.

    Returns ``{"train", "validation", "test"}`` of
    ``tf.data.Dataset``\\ s (batch 256) and the ``Scaler``.
    """
    import keras

    table = np.column_stack([series.columns[c] for c in JENA_COLUMNS])
    n = len(table)
    split = chronological_split(n, validation=0.25, test=0.25)
    scaler = Scaler.fit(table[split["train"]])
    scaled = scaler.transform(table)
    delay = sampling_rate * (sequence_length + delay_hours - 1)
    out = {}
    for name, part in split.items():
        start, stop = part.start, part.stop
        out[name] = keras.utils.timeseries_dataset_from_array(
            scaled[start:stop - delay], targets=series.values[start + delay:stop],
            sampling_rate=sampling_rate, sequence_length=sequence_length,
            shuffle=name == "train", batch_size=256, seed=0)
    return out, scaler


# --- splits, scaling, windows --------------------------------------------------

def chronological_split(n, *, validation, test):
    """``{"train", "validation", "test"}`` slices of ``range(n)``, in time order.

    ``validation`` and ``test``: a number of steps (int) or a fraction of
    ``n`` (float in (0, 1)). The test part is the last, validation just
    before it, train the rest.
    """
    def count(name, value):
        if isinstance(value, float) and 0 < value < 1:
            return int(round(n * value))
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise ValueError(f"Received an invalid value for argument `{name}`: {value!r}. "
                         "Expected a number of steps (int >= 0) or a fraction in (0, 1).")

    n_test, n_validation = count("test", test), count("validation", validation)
    if n_test + n_validation >= n:
        raise ValueError(f"test ({n_test}) and validation ({n_validation}) steps leave no "
                         f"training part of a series of {n}.")
    a, b = n - n_test - n_validation, n - n_test
    return {"train": slice(0, a), "validation": slice(a, b), "test": slice(b, n)}


@dataclasses.dataclass(frozen=True)
class Scaler:
    """``(x - mean) / std`` with the mean and deviation of the training part only."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, train):
        train = np.asarray(train, dtype=np.float64)
        std = train.std(axis=0)
        return cls(train.mean(axis=0), np.where(std > 0, std, 1.0))

    def transform(self, values):
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.std

    def inverse(self, values):
        return np.asarray(values, dtype=np.float64) * self.std + self.mean


def window_origins(start, stop, *, input_width, horizon, every=1):
    """Forecast origins ``t`` (the first target step) whose targets ``[t, t + horizon)``
    lie in ``[start, stop)`` and whose input ``[t - input_width, t)`` starts at 0 or later."""
    first = max(start, input_width)
    return np.arange(first, stop - horizon + 1, every)


def window_arrays(inputs, targets, origins, *, input_width, horizon):
    """``x[i] = inputs[o - input_width:o]``, ``y[i] = targets[o:o + horizon]`` for each origin ``o``."""
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    origins = np.asarray(origins, dtype=int)
    if origins.size and (origins.min() < input_width or origins.max() + horizon > len(targets)):
        raise ValueError(f"origins {origins.min()}..{origins.max()} need inputs from "
                         f"{origins.min() - input_width} and targets to "
                         f"{origins.max() + horizon}; the series has {len(targets)} steps.")
    x = np.stack([inputs[o - input_width:o] for o in origins])
    y = np.stack([targets[o:o + horizon] for o in origins])
    return x, y


def windows(inputs, targets, *, start, stop, input_width, horizon, batch_size=32,
            shuffle=False, seed=None):
    """A ``tf.data.Dataset`` of ``(input window, target window)`` through
    ``keras.utils.timeseries_dataset_from_array``.

    Every origin of :func:`window_origins` ``(start, stop)``, in time order
    unless ``shuffle`` (shuffling *windows* of one split is fine: each still
    holds only its past; what must never happen is a split drawn at random
    from the whole series).

    Args:
        inputs: ``(T, features)`` or ``(T,)`` model inputs, already scaled.
        targets: ``(T,)`` values to forecast, already scaled.
        start, stop: the split (targets inside ``[start, stop)``).
        input_width, horizon: steps in and steps out.
    """
    import keras

    check_positive_int("input_width", input_width)
    check_positive_int("horizon", horizon)
    origins = window_origins(start, stop, input_width=input_width, horizon=horizon)
    if len(origins) == 0:
        raise ValueError(f"no window of {input_width} + {horizon} steps fits in "
                         f"[{start}, {stop}).")
    first, count = int(origins[0]), len(origins)
    targets = np.asarray(targets, dtype=np.float32)
    target_rows = np.lib.stride_tricks.sliding_window_view(
        targets[first:first + count + horizon - 1], horizon)
    data = np.asarray(inputs, dtype=np.float32)[first - input_width:first + count - 1]
    return keras.utils.timeseries_dataset_from_array(
        data, target_rows, sequence_length=input_width, batch_size=batch_size,
        shuffle=shuffle, seed=seed)
