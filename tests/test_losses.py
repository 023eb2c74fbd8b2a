import keras
import numpy as np
import pytest

from rnn_keras.losses import GroupedSparseCategoricalCrossentropy

pytestmark = pytest.mark.jax  # backend-neutral: also runs in the JAX pass


def test_config_round_trip_and_reduction():
    loss = GroupedSparseCategoricalCrossentropy(groups=3, name="notes")
    again = GroupedSparseCategoricalCrossentropy.from_config(loss.get_config())
    assert again.groups == 3 and again.name == "notes" and again.from_logits
    logits = np.random.default_rng(0).normal(size=(2, 5, 3 * 4)).astype("float32")
    targets = np.random.default_rng(1).integers(0, 4, size=(2, 5, 3))
    per_step = keras.ops.convert_to_numpy(loss.call(targets, logits))
    assert per_step.shape == (2, 5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loss(targets, logits)),
                               per_step.mean(), rtol=1e-6)


def test_a_model_trains_with_it_under_jit_and_reloads(tmp_path):
    inputs = keras.Input((4, 6))
    model = keras.Model(inputs, keras.layers.Dense(2 * 5)(inputs))
    model.compile("adam", loss=GroupedSparseCategoricalCrossentropy(groups=2), jit_compile=True)
    x = np.random.default_rng(0).random((8, 4, 6)).astype("float32")
    y = np.random.default_rng(1).integers(0, 5, size=(8, 4, 2))
    first = model.fit(x, y, epochs=3, verbose=0).history["loss"]
    assert first[-1] < first[0]
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    assert isinstance(loaded.loss, GroupedSparseCategoricalCrossentropy) and loaded.loss.groups == 2


def test_groups_that_do_not_divide_the_logits_are_refused():
    with pytest.raises(ValueError, match="3 equal blocks of logits, got width 10"):
        GroupedSparseCategoricalCrossentropy(groups=3)(np.zeros((1, 2, 3)), np.zeros((1, 2, 10)))
    with pytest.raises(ValueError, match="`groups`: 0"):
        GroupedSparseCategoricalCrossentropy(groups=0)
