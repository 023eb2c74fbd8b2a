"""Run settings read from the environment: the profile and the data directory.

Two environment variables steer every notebook, experiment and test:

- ``RNN_KERAS_PROFILE``: ``"quick"`` (small data, few epochs: minutes on a
  2-core laptop; CI uses it) or ``"full"`` (the settings that reproduce the
  headline numbers). Default: ``"full"``. A third profile, ``"smoke"``,
  exists for the package's own tests: tiny data and one epoch, so an
  experiment runs end to end in seconds. Its numbers mean nothing and no
  notebook output comes from it.
- ``RNN_KERAS_DATA_DIR``: a folder holding local copies of data sets (the
  archives or their extracted folders). Default: none, meaning loaders go to
  the data set's public source.

Everything reads them through :func:`get_profile` and :func:`get_data_dir`, so
there is one place that validates them. The other variables the package reads
live here too: ``RNN_KERAS_OFFLINE`` (:func:`offline`: no downloads),
``RNN_KERAS_CACHE_DIR`` (:func:`cache_dir`: converted data) and TensorFlow's
``TF_CONFIG`` (:func:`tf_config`: the workers of a distributed run).
"""

import os
import pathlib

PROFILE_ENV = "RNN_KERAS_PROFILE"
DATA_DIR_ENV = "RNN_KERAS_DATA_DIR"
OFFLINE_ENV = "RNN_KERAS_OFFLINE"
CACHE_ENV = "RNN_KERAS_CACHE_DIR"
TF_CONFIG_ENV = "TF_CONFIG"
PROFILES = ("quick", "full", "smoke")
DEFAULT_PROFILE = "full"


def get_profile(profile=None):
    """Returns the run profile: ``profile`` if given, else ``$RNN_KERAS_PROFILE``.

    Raises:
        ValueError: if the value is not one of ``"quick"``, ``"full"`` or
            ``"smoke"``.
    """
    source = "argument `profile`"
    if profile is None:
        profile = os.environ.get(PROFILE_ENV, "").strip() or DEFAULT_PROFILE
        source = f"environment variable {PROFILE_ENV}"
    profile = str(profile).strip().lower()
    if profile not in PROFILES:
        raise ValueError(
            f"Unknown profile {profile!r} (from {source}). Expected one of "
            f"{PROFILES}: 'quick' runs in minutes, 'full' reproduces the "
            "headline numbers, 'smoke' is for tests."
        )
    return profile


def get_data_dir(data_dir=None):
    """Returns the local data directory as a ``pathlib.Path``, or ``None``.

    ``data_dir`` wins over ``$RNN_KERAS_DATA_DIR``. A directory that is named
    but does not exist is an error (a typo should not silently fall back to a
    download).
    """
    source = "argument `data_dir`"
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV, "").strip() or None
        source = f"environment variable {DATA_DIR_ENV}"
    if data_dir is None:
        return None
    path = pathlib.Path(data_dir).expanduser()
    if not path.is_dir():
        raise ValueError(
            f"The data directory {str(path)!r} (from {source}) does not exist. "
            f"Point {DATA_DIR_ENV} at the folder that holds the data archives, "
            "or unset it to use the public sources."
        )
    return path.resolve()


def offline():
    """Whether ``$RNN_KERAS_OFFLINE`` forbids downloads (``1``, ``true``, ``yes``)."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes")


def cache_dir():
    """Where converted data is cached: ``$RNN_KERAS_CACHE_DIR`` or ``~/.cache/rnn_keras``."""
    return pathlib.Path(os.environ.get(CACHE_ENV, "") or "~/.cache/rnn_keras").expanduser()


def tf_config():
    """The raw ``$TF_CONFIG`` text (TensorFlow's multi-worker cluster description), or ``""``."""
    return os.environ.get(TF_CONFIG_ENV, "").strip()


def pick(quick, full, profile=None):
    """Returns ``full`` in the full profile, else ``quick`` (smoke included)."""
    return full if get_profile(profile) == "full" else quick


def describe(profile=None, data_dir=None):
    """A one-line summary of the settings, for the first output of a notebook."""
    import keras

    data = get_data_dir(data_dir)
    data_text = str(data) if data is not None else "public sources (no local copy set)"
    return (
        f"rnn_keras profile={get_profile(profile)} | data={data_text} | "
        f"keras {keras.__version__} on {keras.backend.backend()}"
    )
