import pytest

from rnn_keras import config


def test_profile_defaults_to_full(monkeypatch):
    monkeypatch.delenv("RNN_KERAS_PROFILE", raising=False)
    assert config.get_profile() == "full"


def test_profile_from_environment_and_argument(monkeypatch):
    monkeypatch.setenv("RNN_KERAS_PROFILE", " Quick ")
    assert config.get_profile() == "quick"
    assert config.get_profile("full") == "full"
    assert config.pick(1, 2) == 1
    assert config.pick(1, 2, profile="full") == 2
    assert config.pick(1, 2, profile="smoke") == 1


def test_bad_profile_names_the_source(monkeypatch):
    monkeypatch.setenv("RNN_KERAS_PROFILE", "fast")
    with pytest.raises(ValueError, match=r"Unknown profile 'fast' \(from environment variable RNN_KERAS_PROFILE\)"):
        config.get_profile()
    with pytest.raises(ValueError, match=r"from argument `profile`"):
        config.get_profile("medium")


def test_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("RNN_KERAS_DATA_DIR", raising=False)
    assert config.get_data_dir() is None
    monkeypatch.setenv("RNN_KERAS_DATA_DIR", str(tmp_path))
    assert config.get_data_dir() == tmp_path.resolve()
    monkeypatch.setenv("RNN_KERAS_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="does not exist. Point RNN_KERAS_DATA_DIR"):
        config.get_data_dir()


def test_describe_states_profile_and_data(monkeypatch, tmp_path):
    monkeypatch.setenv("RNN_KERAS_PROFILE", "quick")
    monkeypatch.setenv("RNN_KERAS_DATA_DIR", str(tmp_path))
    text = config.describe()
    assert "profile=quick" in text and str(tmp_path.resolve()) in text
