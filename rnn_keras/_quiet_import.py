"""TensorFlow's start-up log lines, stopped where they are written.

Importing TensorFlow 2.21 prints, whatever ``TF_CPP_MIN_LOG_LEVEL`` says,
lines such as ``WARNING: All log messages before absl::InitializeLog() is
called are written to STDERR`` and ``I0000 ... oneDNN custom operations are
on``: the C++ runtime writes them to file descriptor 2 before its logging
is configured, so no Python setting reaches them (measured: levels 2 and 3,
``GLOG_minloglevel``, ``ABSL_MIN_LOG_LEVEL``). ``TF_ENABLE_ONEDNN_OPTS=0``
would silence one of them at the price of 1.6x slower LSTM training here.

:func:`import_tensorflow` imports TensorFlow with descriptor 2 pointed at a
temporary file, then writes back every line that is not such a start-up
record: a real warning or error still reaches the user, and if the import
fails everything it printed is shown. ``import rnn_keras`` calls it when
Keras will run on TensorFlow and TensorFlow is not loaded yet, so a
notebook that imports ``rnn_keras`` before ``keras`` starts quietly.
"""

import importlib
import json
import os
import pathlib
import re
import sys
import tempfile

# The start-up records: absl's pre-initialisation notice, C++ log lines
# (I/W/E + date), and the CPU-feature notice's continuation line.
STARTUP_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\)|[IW]\d{4} \d\d:\d\d:\d\d"
    r"|E\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ util\.cc:\d+\] oneDNN supports"
    r"|To enable the following instructions:)")


def keras_backend():
    """The backend Keras will pick: ``$KERAS_BACKEND``, else ``~/.keras/keras.json``, else TF."""
    name = os.environ.get("KERAS_BACKEND")
    if name:
        return name
    home = pathlib.Path(os.environ.get("KERAS_HOME", pathlib.Path.home() / ".keras"))
    try:
        return json.loads((home / "keras.json").read_text()).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


def import_tensorflow(module="tensorflow"):
    """Imports TensorFlow, keeping its start-up log records off stderr (other lines kept).

    Does nothing when ``module`` is already imported. Returns the number of
    lines held back. (``module`` exists for the tests.)
    """
    if module in sys.modules:
        return 0
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable descriptor 2
        importlib.import_module(module)
        return 0
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        failed = True
        try:
            importlib.import_module(module)
            failed = False
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode("utf-8", "replace").splitlines(keepends=True)
            kept = lines if failed else [line for line in lines if not STARTUP_NOISE.match(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()
    return len(lines) - len(kept)
