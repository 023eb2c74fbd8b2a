"""The fundamentals experiments (notebooks 02-03): the measures on tiny settings.
(Each experiment end to end: tests/test_cli.py.)"""


import numpy as np
import pytest

from rnn_keras import bptt
from rnn_keras import experiments
from rnn_keras.experiments import adding_problem, bidirectional, gradient_flow


@pytest.mark.parametrize("radius", [0.8, 1.0, 1.2])
def test_linear_rnn_decay_rate_is_the_spectral_radius(radius):
    sweep = gradient_flow.radius_sweep(radii=(radius,), timesteps=20, activation=None, batch=4)
    norms, rate = sweep[radius]
    assert rate == pytest.approx(radius, rel=1e-3)
    # Each step back multiplies the norm by exactly the radius.
    np.testing.assert_allclose(norms[:-1] / norms[1:], radius, rtol=1e-3)


def test_saturation_makes_tanh_gradients_vanish():
    small = gradient_flow.radius_sweep(radii=(1.1,), timesteps=30, input_scale=0.1, batch=4)
    large = gradient_flow.radius_sweep(radii=(1.1,), timesteps=30, input_scale=3.0, batch=4)
    assert large[1.1][1] < 0.7 * small[1.1][1]


def test_cell_norms_cover_three_cells():
    result = gradient_flow.cell_norms(timesteps=12, units=8, batch=2)
    assert set(result) == {"simple", "lstm", "gru"}
    for norms, rate in result.values():
        assert norms.shape == (12,) and np.all(norms > 0) and 0 < rate < 1


@pytest.mark.slow
def test_clipping_keeps_a_diverging_run_finite():
    runs = gradient_flow.clipping_runs(epochs=1)
    assert not np.isfinite(runs["none"]["batch_loss"]).all()
    assert np.isfinite(runs["global_norm"]["batch_loss"]).all()
    assert np.isfinite(runs["value"]["batch_loss"]).all()


def test_format_table_layout():
    rows = [{"cell": c, "timesteps": t, "test_mse": 0.01 * i, "seconds": 1.0}
            for i, (c, t) in enumerate([("simple", 5), ("lstm", 5)])]
    lines = adding_problem.format_table(rows).splitlines()
    assert lines[0].split() == ["test", "MSE", "T=5"]
    assert lines[1].split() == ["simple", "0.0000"] and lines[2].split() == ["lstm", "0.0100"]
    assert lines[3].split() == ["baseline", "0.1667"]


def test_chance_of_the_first_quarter():
    tags = np.array([[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0, 0]])
    # Majority per step on train: step 0 -> 1 (2 of 3), step 1 -> 1.
    assert bidirectional.chance_first_quarter(tags, tags) == pytest.approx(4 / 6)


def test_per_position_majority_baseline():
    from rnn_keras.experiments import topologies

    train = np.array([[0, 1, 1], [0, 1, 0], [1, 0, 0]])
    w_train = np.array([[1, 1, 1], [1, 1, 1], [1, 1, 0]])
    # majority per position over real train steps: 0, 1, and a tie (one 1, one 0) that
    # goes to the smaller tag, 0
    test = np.array([[0, 1, 0], [1, 1, 1]])
    w_test = np.array([[1, 1, 1], [1, 1, 0]])
    # guesses 0, 1, 0: right on 3 of 3 real steps in row 1, 1 of 2 in row 2
    assert topologies.position_majority_accuracy(train, test, (w_train, w_test)) == \
        pytest.approx(4 / 5)


# --- the protocol every experiment follows (rnn_keras.experiments docstring) -------

# Options a smoke run of an experiment needs (prepare options, build/train/evaluate
# selector); every experiment of the registry is tested, listed here or not.
PROTOCOL = {
    "topologies": ({"problem": "many_to_many"}, {}),
    "gradient-flow": ({}, {}),
    "adding-problem": ({}, {}),
    "charlm": ({"text": "ROMEO:\nWhat light through yonder window breaks?\n" * 800}, {}),
    "bidirectional": ({}, {}),
    "sentiment": ({}, {}),
    "translation": ({"pair": "numbers-en-de"}, {}),
    "captioning": ({}, {}),
    "music": ({}, {"form": "joint"}),
    "video": ({}, {"task": "direction"}),
    "timeseries": ({"series": "taylor"}, {}),
    "speech": ({"task": "strings"}, {}),
    "costs": ({}, {}),
}


def test_protocol_options_name_only_registered_experiments():
    assert set(PROTOCOL) <= set(experiments.EXPERIMENTS)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(experiments.EXPERIMENTS))
def test_every_experiment_follows_the_protocol(name, tmp_path, review_dir, chorale_dir,
                                               fake_mnist, fsdd_dir, review_fsdd_dir):
    import inspect

    from rnn_keras import training

    module = experiments.get(name)
    for function in ("prepare", "build_model", "train", "evaluate", "run"):
        assert callable(getattr(module, function, None)), (name, function)
    assert set(module.SETTINGS) == {"quick", "full", "smoke"}
    for function, first in (("prepare", ["profile", "data_dir", "seed"]),
                            ("build_model", ["data"]), ("train", ["data", "model"]),
                            ("evaluate", ["model", "data"]),
                            ("run", ["profile", "data_dir", "out_dir", "seed", "verbose"])):
        parameters = list(inspect.signature(getattr(module, function)).parameters)
        assert parameters[:len(first)] == first, (name, function, parameters)
    train_parameters = inspect.signature(module.train).parameters
    assert {"seed", "verbose", "run_dir", "name"} <= set(train_parameters), name
    assert inspect.signature(module.run).parameters["verbose"].default == 2

    data_dir = {"sentiment": review_dir, "music": chorale_dir, "speech": fsdd_dir,
                "costs": review_fsdd_dir}.get(name)
    options, selector = PROTOCOL.get(name, ({}, {}))
    data = module.prepare("smoke", data_dir, 0, **options)
    assert isinstance(data.settings, dict)
    model = module.build_model(data, **selector)
    assert model.compiled, name
    fitted = module.train(data, model, seed=0, run_dir=tmp_path, name="protocol", **selector)
    assert isinstance(fitted, training.Training) and fitted.epochs >= 1
    assert fitted.fit_call.startswith("model.fit(")
    assert not (tmp_path / training.BACKUP_FOLDER).exists()  # backups removed at the end
    scores = module.evaluate(model, data, **selector)
    assert scores and all(isinstance(k, str) for k in scores), scores


def test_rounded_keeps_four_significant_digits_everywhere():
    from rnn_keras.experiments import rounded

    assert rounded({"a": 0.882345, "b": [40.3312, 0.0209231], "c": 7, "d": "x", "e": None,
                    "g": np.float32(0.123456)}) == {
        "a": 0.8823, "b": [40.33, 0.02092], "c": 7, "d": "x", "e": None, "g": 0.1235}
    assert np.isnan(rounded(float("nan"))) and rounded(0.0) == 0.0
    assert rounded(1234.5678, 3) == 1230.0
