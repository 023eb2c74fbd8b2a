"""The music experiment's measures: windows, classes, baselines, sampling, statistics."""


import keras
import numpy as np
import pytest

from rnn_keras.experiments import music as mu

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Each test draws from a generator of its own: inputs do not depend on test order."""
    global RNG
    RNG = np.random.default_rng(0)


def chorale(steps=40):
    line = RNG.integers(40, 80, size=(steps // 2, 4))
    return np.repeat(line, 2, axis=0).astype("int32")


def test_classes_round_trip_and_reject_out_of_range():
    voices = np.array([[36, 81, 0, 60]])
    np.testing.assert_array_equal(mu.to_classes(voices), [[1, 46, 0, 25]])
    np.testing.assert_array_equal(mu.from_classes(mu.to_classes(voices)), voices)
    with pytest.raises(ValueError, match="36..81"):
        mu.to_classes(np.array([[90, 60, 50, 40]]))


def test_homl_windows_follow_the_book():
    pieces = [chorale(80), chorale(40)]
    x, y = mu.homl_windows(pieces)
    # windows of 33 chords every 16: 3 + 1 windows; 131 inputs and targets each
    assert x.shape == y.shape == (4, 131)
    flat = mu.to_classes(pieces[0]).reshape(-1)
    np.testing.assert_array_equal(x[1], flat[64:64 + 131])
    np.testing.assert_array_equal(y[1], flat[65:65 + 132 - 1])
    tokens = mu.voice_tokens(x)
    np.testing.assert_array_equal((tokens[0, :8] - 1) // mu.N_CLASSES, [0, 1, 2, 3] * 2)
    assert tokens.min() >= 1


def test_transpose_keeps_rests_and_the_range():
    piece = np.array([[40, 0, 45, 80], [41, 0, 46, 79]])
    shifted = mu.transpose([piece], semitones=range(-5, 7))
    # 80 + 2 > 81 and 40 - 5 < 36 are left out: shifts -4..1
    assert len(shifted) == 6
    for out in shifted:
        assert np.all(out[:, 1] == 0) and out[out > 0].min() >= 36 and out.max() <= 81
    np.testing.assert_array_equal(mu.transpose([piece], semitones=[0])[0], piece)


def test_copy_baselines():
    steady = np.array([[60, 55, 52, 48]] * 66)
    x, y = mu.homl_windows([steady])
    # every note repeats one chord later, except the first chord's last three
    # notes, which have no earlier chord in the window
    assert mu.homl_copy_baseline(x, y) == pytest.approx(128 / 131)
    x, y = mu.joint_windows([steady])
    assert (x == y).mean() == 1.0
    assert mu.error_removed(0.85, 0.75) == pytest.approx(0.4)


def test_four_voice_loss_is_the_mean_of_four_cross_entropies():
    logits = RNG.normal(size=(2, 3, 4 * mu.N_CLASSES)).astype("float32")
    targets = RNG.integers(0, mu.N_CLASSES, size=(2, 3, 4))
    got = keras.ops.convert_to_numpy(mu.four_voice_loss.call(targets, logits))
    split = logits.reshape(2, 3, 4, mu.N_CLASSES)
    log_p = split - np.log(np.exp(split).sum(-1, keepdims=True))
    expected = -np.take_along_axis(log_p, targets[..., None], -1)[..., 0].mean(-1)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    reduced = keras.ops.convert_to_numpy(mu.four_voice_loss(targets, logits))
    np.testing.assert_allclose(reduced, expected.mean(), rtol=1e-5)


def test_sampling_at_temperature_zero_is_argmax_decoding():
    keras.utils.set_random_seed(0)
    model = mu.build_homl_model(dict(mu.SETTINGS["quick"], units=8, embedding_dim=4))
    seed = chorale(4)
    greedy = mu.generate(model, seed, chords=3, temperature=0)
    again = mu.generate(model, seed, chords=3, temperature=0)
    np.testing.assert_array_equal(greedy, again)
    np.testing.assert_array_equal(greedy[:4], seed)
    notes = list(mu.to_classes(seed).reshape(-1))
    for _ in range(12):  # argmax by hand, one note at a time
        tokens = (np.arange(len(notes)) % 4 * mu.N_CLASSES + np.array(notes) + 1)[None]
        notes.append(int(model.predict_on_batch(tokens.astype("int32"))[0, -1].argmax()))
    np.testing.assert_array_equal(mu.to_classes(greedy).reshape(-1), notes)
    sampled = [mu.generate(model, seed, chords=3, temperature=1.0, seed=s) for s in (1, 1, 2)]
    np.testing.assert_array_equal(sampled[0], sampled[1])
    with pytest.raises(ValueError, match="temperature"):
        mu.generate(model, seed, temperature=-0.5)


def test_ensemble_of_one_model_is_that_model_and_averages_probabilities():
    keras.utils.set_random_seed(0)
    tiny = dict(mu.SETTINGS["quick"], units=8, embedding_dim=4)
    chorales = [chorale(72), chorale(72)]
    homl = [{"model": mu.build_homl_model(tiny)} for _ in range(2)]
    alone, _ = mu.evaluate_homl(homl[0]["model"], chorales)
    assert mu.ensemble_accuracy(homl[:1], chorales, "homl") == pytest.approx(alone)
    # two models: the argmax of their mean probabilities, computed by hand
    x, y = mu.homl_windows(chorales)
    p = [keras.ops.convert_to_numpy(keras.ops.softmax(r["model"].predict(
        mu.voice_tokens(x), verbose=0))) for r in homl]
    expected = float(((p[0] + p[1]).argmax(-1) == y).mean())
    assert mu.ensemble_accuracy(homl, chorales, "homl") == pytest.approx(expected)
    joint = [{"model": mu.build_joint_model(tiny)}]
    _, alone = mu.joint_accuracy(joint[0]["model"], *mu.joint_windows(chorales))
    assert mu.ensemble_accuracy(joint, chorales, "joint") == pytest.approx(alone)
    with pytest.raises(ValueError, match="form"):
        mu.ensemble_accuracy(joint, chorales, "chords")
    with pytest.raises(ValueError, match="at least one"):
        mu.ensemble_accuracy([], chorales)


def test_music_statistics():
    reference = [np.array([[72, 64, 55, 48], [74, 65, 57, 50]])]
    stats = mu.music_statistics(np.array([[72, 64, 55, 48]] * 4 + [[0, 0, 0, 0]] * 4),
                                reference)
    assert stats["rests"] == 0.5 and stats["in_range"] == 1.0 and stats["mean_run"] == 4.0
    # the sample's pitch classes are the reference's first chord's: closer to it than
    # a sample in another key is
    far = mu.music_statistics(np.array([[73, 66, 56, 49]] * 4), reference)
    assert stats["pitch_class_distance"] < far["pitch_class_distance"]
    outside = mu.music_statistics(np.array([[90, 64, 55, 48]] * 2), reference)
    assert outside["in_range"] == 0.75
