"""Test tiers, no network, data-dependent skips, shared fixtures.

Tiers (markers, checked with --strict-markers; see pyproject.toml):
``slow`` trains past a few seconds, ``subprocess`` starts a fresh Python,
``notebook`` is a notebook cell under nbval, ``requires_data(*archives)``
needs local copies of real data sets, ``distributed`` talks over the
loopback, ``jax`` also runs in the JAX pass. ``scripts/test.sh --fast`` runs
what is none of slow/subprocess/notebook/distributed.
"""

import os
import pathlib
import socket

# Before TensorFlow or JAX is imported anywhere: quiet C++ start-up lines (not
# oneDNN: TF_ENABLE_ONEDNN_OPTS=0 made LSTM training 1.6x slower here), no
# downloads from this process, its subprocesses or notebook kernels, and one
# thread per op when pytest-xdist runs two workers on two cores.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["RNN_KERAS_OFFLINE"] = "1"
if os.environ.get("PYTEST_XDIST_WORKER"):
    for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(name, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import helpers  # noqa: E402
from rnn_keras.data import chorales  # noqa: E402
from rnn_keras.data import coco_captions  # noqa: E402
from rnn_keras.data import imdb  # noqa: E402
from rnn_keras.data import moving_mnist  # noqa: E402
from rnn_keras.data import sources  # noqa: E402
from rnn_keras.data import spoken_digits  # noqa: E402
from rnn_keras.data import text_corpus  # noqa: E402
from rnn_keras.data import translation  # noqa: E402

# The real data sets, by the name a test or notebook asks for.
ARCHIVES = {
    "aclImdb": imdb.ARCHIVE,
    "spa-eng": translation.ARCHIVES["spa-eng"],
    "jsb_chorales": chorales.ARCHIVE,
    "mnist": moving_mnist.IMAGES,
    "coco_mini": coco_captions.MINI,
    "fsdd": spoken_digits.ARCHIVE,
    "tinyshakespeare": text_corpus.ARCHIVE,
}
# What each notebook reads (notebook 05's COCO part is optional inside it).
NOTEBOOK_DATA = {
    "04": ("aclImdb",), "05": ("mnist",), "06": ("spa-eng",), "07": ("jsb_chorales",),
    "08": ("mnist",), "10": ("tinyshakespeare",), "11": ("fsdd",),
    "12": ("aclImdb", "fsdd"),
}


def missing_data(names):
    """The names among ``names`` with no local copy in $RNN_KERAS_DATA_DIR."""
    return [n for n in names if not sources.has_local_copy(ARCHIVES[n])]


def _skip_reason(missing):
    return (f"needs {', '.join(missing)} in RNN_KERAS_DATA_DIR "
            f"(now {os.environ.get('RNN_KERAS_DATA_DIR') or 'unset'}); downloads are off "
            "in tests")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = pathlib.Path(str(item.fspath))
        if path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebook)
            item.add_marker(pytest.mark.slow)
            needs = NOTEBOOK_DATA.get(path.name[:2], ())
            if needs:
                item.add_marker(pytest.mark.requires_data(*needs))
        marker = item.get_closest_marker("requires_data")
        if marker is not None:
            unknown = [n for n in marker.args if n not in ARCHIVES]
            if unknown:
                raise pytest.UsageError(f"{item.nodeid}: unknown data set {unknown}; "
                                        f"expected names from {sorted(ARCHIVES)}")
            missing = missing_data(marker.args)
            if missing:
                item.add_marker(pytest.mark.skip(reason=_skip_reason(missing)))


# --- no network ---------------------------------------------------------------

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_network(request, monkeypatch):
    """Refuses every connection; tests marked ``distributed`` or ``loopback`` may use the loopback."""
    loopback_ok = any(request.node.get_closest_marker(m) is not None
                      for m in ("distributed", "loopback"))
    connect = socket.socket.connect

    def guarded(sock, address, *args):
        host = address[0] if isinstance(address, tuple) else address
        if sock.family == socket.AF_UNIX or (loopback_ok and host in _LOOPBACK):
            return connect(sock, address, *args)
        raise OSError(f"tests may not use the network (tried to connect to {address!r})")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda sock, address: guarded(
        sock, address) or 0)


# --- no data unless asked for ------------------------------------------------------


@pytest.fixture(autouse=True)
def data_only_when_marked(request, monkeypatch):
    """A test not marked ``requires_data`` runs as on a fresh clone without ../shared.

    ``RNN_KERAS_DATA_DIR`` is removed for it (and for the processes it starts), so
    every CI run, with the real data sets beside the project or not, shows that
    the unmarked tests need none: a test that quietly reads a real data set fails
    here, instead of only on a machine without them. (Notebooks are checked
    statically: tests/test_notebook_layout.py lists the ones that read data.)
    """
    if request.node.get_closest_marker("requires_data") is None:
        monkeypatch.delenv("RNN_KERAS_DATA_DIR", raising=False)


# --- shared fixtures -------------------------------------------------------------


@pytest.fixture
def rng():
    """A generator of the test's own: inputs do not depend on test order."""
    return np.random.default_rng(0)


@pytest.fixture
def offline_cache(tmp_path, monkeypatch):
    """An empty download cache, so no earlier download stands in for data."""
    monkeypatch.setenv(sources.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv("RNN_KERAS_DATA_DIR", raising=False)
    return tmp_path / "cache"


@pytest.fixture
def downloads_allowed(monkeypatch):
    """Lifts RNN_KERAS_OFFLINE for a test that mocks the download itself."""
    monkeypatch.delenv(sources.OFFLINE_ENV, raising=False)


@pytest.fixture
def fake_mnist(monkeypatch):
    """MNIST replaced by :func:`helpers.fake_digits` for captioning and video."""
    monkeypatch.setattr(moving_mnist, "load_digits",
                        lambda source="mnist", data_dir=None, **kwargs: helpers.fake_digits(60))


@pytest.fixture(scope="session")
def review_dir(tmp_path_factory):
    """An aclImdb-shaped folder whose marker words decide every label."""
    return helpers.write_reviews(tmp_path_factory.mktemp("reviews"), n=400)


@pytest.fixture(scope="session")
def fsdd_dir(tmp_path_factory):
    """A complete FSDD-shaped folder (3,000 short tones: the digit sets the pitch)."""
    return helpers.write_fsdd(tmp_path_factory.mktemp("fsdd"))


@pytest.fixture(scope="session")
def review_fsdd_dir(tmp_path_factory, review_dir, fsdd_dir):
    """One folder with both the review and the FSDD fixtures (notebook 12 reads both)."""
    root = tmp_path_factory.mktemp("reviews-and-fsdd")
    for source in (review_dir / "aclImdb", *fsdd_dir.iterdir()):
        (root / source.name).symlink_to(source, target_is_directory=True)
    return root


@pytest.fixture(scope="session")
def chorale_dir(tmp_path_factory):
    return helpers.write_chorales(tmp_path_factory.mktemp("chorales"))
