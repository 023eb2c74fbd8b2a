"""TensorFlow's start-up lines are held back at import; every other line gets through."""

import subprocess
import sys
import textwrap

import pytest

from rnn_keras import _quiet_import

NOISE = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796403411.274592   12461 port.cc:153] oneDNN custom operations are on.",
    "I0000 00:00:1796403411.306496   12461 cpu_feature_guard.cc:227] This TensorFlow binary",
    "To enable the following instructions: AVX2 AVX512F, in other operations, rebuild.",
]


def _fake_module(tmp_path, monkeypatch, name, body):
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)


def test_startup_records_are_held_back_and_real_lines_kept(tmp_path, monkeypatch, capfd):
    lines = NOISE + ["a real problem: the library could not open its cache"]
    _fake_module(tmp_path, monkeypatch, "noisy_fake_tf", f"""
        import os
        os.write(2, {"".join(line + chr(10) for line in lines)!r}.encode())
    """)
    assert _quiet_import.import_tensorflow("noisy_fake_tf") == len(NOISE)
    assert capfd.readouterr().err == "a real problem: the library could not open its cache\n"
    assert _quiet_import.import_tensorflow("noisy_fake_tf") == 0  # already imported


def test_a_failed_import_shows_everything_it_printed(tmp_path, monkeypatch, capfd):
    _fake_module(tmp_path, monkeypatch, "broken_fake_tf", f"""
        import os
        os.write(2, {NOISE[1] + chr(10)!r}.encode())
        raise ImportError("libcudart.so.12: cannot open shared object file")
    """)
    with pytest.raises(ImportError, match="libcudart"):
        _quiet_import.import_tensorflow("broken_fake_tf")
    assert NOISE[1] in capfd.readouterr().err


@pytest.mark.subprocess
def test_import_rnn_keras_then_keras_prints_no_startup_lines():
    proc = subprocess.run(
        [sys.executable, "-c", "import rnn_keras, keras; print(keras.backend.backend())"],
        capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "KERAS_BACKEND": "tensorflow"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "tensorflow"
    noisy = [line for line in proc.stderr.splitlines() if _quiet_import.STARTUP_NOISE.match(line)]
    assert noisy == [], proc.stderr
