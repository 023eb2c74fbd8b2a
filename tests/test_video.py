"""Moving MNIST generator, idx reader, ConvLSTM rollout, clip classifier, baselines.
(Reloading: tests/test_reload.py; the experiment end to end: tests/test_cli.py.)"""

import gzip

import keras
import numpy as np
import pytest

from helpers import fake_digits
from helpers import write_idx
from rnn_keras import metrics
from rnn_keras.data import DataCorruptError
from rnn_keras.data import DataNotFoundError
from rnn_keras.data import moving_mnist as mm
from rnn_keras.experiments import video
from rnn_keras.models import video as vm


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def test_idx_reader_round_trip_and_clear_errors(tmp_path):
    images, _ = fake_digits(5)
    write_idx(tmp_path / "ok.gz", images)
    np.testing.assert_array_equal(mm.read_idx(tmp_path / "ok.gz"), images)
    raw = gzip.decompress((tmp_path / "ok.gz").read_bytes())
    with gzip.open(tmp_path / "short.gz", "wb") as f:
        f.write(raw[:-100])
    with pytest.raises(DataCorruptError, match="truncated"):
        mm.read_idx(tmp_path / "short.gz")
    (tmp_path / "junk.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataCorruptError, match="junk.gz"):
        mm.read_idx(tmp_path / "junk.gz")
    (tmp_path / "magic").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(DataCorruptError, match="magic"):
        mm.read_idx(tmp_path / "magic")


def test_missing_mnist_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(DataNotFoundError, match="t10k-images-idx3-ubyte.gz"):
        mm.load_digits("mnist", data_dir=tmp_path, allow_download=False)
    with pytest.raises(ValueError, match="sklearn"):
        mm.load_digits("emnist")


def test_published_clips_and_tfds_name_the_fix_when_absent(tmp_path):
    with pytest.raises(DataNotFoundError, match="mnist_test_seq.npy"):
        mm.read_published(tmp_path)
    with pytest.raises(DataNotFoundError, match="tfds build moving_mnist"):
        mm.read_tfds(tmp_path)
    clips = np.random.default_rng(0).integers(0, 256, (20, 3, 64, 64), dtype=np.uint8)
    np.save(tmp_path / mm.PUBLISHED, clips)
    read = mm.read_published(tmp_path)
    assert read.shape == (3, 20, 64, 64, 1)
    np.testing.assert_allclose(read[1, 4, ..., 0], clips[4, 1] / 255.0)


def test_sklearn_digits_offline():
    images, labels = mm.load_digits("sklearn")
    assert images.shape == (1797, 16, 16) and images.dtype == np.uint8
    assert images.max() == 255 and set(labels) == set(range(10))


def test_bounce_reflects_at_both_walls():
    positions, velocities = mm.bounce([[1.0, 5.0]], [[-2.0, 3.0]], steps=4, limit=8.0)
    np.testing.assert_allclose(positions[:, 0], [[1, 5], [1, 8], [3, 5], [5, 2]])
    np.testing.assert_allclose(velocities[:, 0], [[-2, 3], [2, 3], [2, -3], [2, -3]])


def test_clips_stay_inside_the_frame_and_are_deterministic():
    images, labels = fake_digits()
    clips = mm.generate(images, labels, 12, frames=30, size=32, digits=2, speed=(3, 5), seed=3)
    assert clips["frames"].shape == (12, 30, 32, 32, 1)
    assert clips["frames"].min() >= 0 and clips["frames"].max() <= 1
    limit = 32 - 14
    assert clips["positions"].min() >= 0 and clips["positions"].max() <= limit
    # every digit bounces at least once in 30 frames at this speed
    steps = np.diff(clips["positions"], axis=1)
    assert (np.sign(steps[:, 1:]) != np.sign(steps[:, :-1])).any(axis=1).all()
    again = mm.generate(images, labels, 12, frames=30, size=32, digits=2, speed=(3, 5), seed=3)
    np.testing.assert_array_equal(clips["frames"], again["frames"])
    other = mm.generate(images, labels, 12, frames=30, size=32, digits=2, speed=(3, 5), seed=4)
    assert not np.array_equal(clips["frames"], other["frames"])
    np.testing.assert_array_equal(clips["digits"], labels[clips["image_ids"]])


def test_direction_label_is_the_first_step_heading():
    images, labels = fake_digits()
    clips = mm.generate(images, labels, 50, frames=3, size=64, digits=1, speed=(1, 2), seed=0)
    first = clips["positions"][:, 1, 0] - clips["positions"][:, 0, 0]
    away_from_walls = np.all((clips["positions"][:, :2, 0] > 2)
                             & (clips["positions"][:, :2, 0] < 64 - 28 - 2), axis=(1, 2))
    expected = mm.direction_class(first)
    np.testing.assert_array_equal(clips["direction"][away_from_walls], expected[away_from_walls])
    assert away_from_walls.sum() > 20
    assert mm.DIRECTIONS[mm.direction_class(np.array([-1.0, 1.0]))] == "up-right"


def test_train_and_test_clips_use_disjoint_digit_images(tmp_path):
    images, labels = fake_digits(60)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels)
    splits = _splits_with_local_hashes(tmp_path)
    train_ids = set(splits["train"]["image_ids"].ravel())
    test_ids = set(splits["test"]["image_ids"].ravel())
    assert train_ids and test_ids and not train_ids & test_ids


def _splits_with_local_hashes(folder):
    """make_splits on fixture idx files, accepted by their own checksums."""
    import dataclasses

    from rnn_keras.data import sources

    patched = {}
    for name in ("IMAGES", "LABELS"):
        archive = getattr(mm, name)
        patched[name] = archive
        setattr(mm, name, dataclasses.replace(
            archive, sha256=sources.sha256_of(folder / archive.filename)))
    try:
        return mm.make_splits(30, 10, data_dir=folder, size=32, frames=4, digits=2)
    finally:
        for name, archive in patched.items():
            setattr(mm, name, archive)


def test_a_local_file_with_the_wrong_hash_is_refused(tmp_path):
    images, labels = fake_digits(10)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    with pytest.raises(DataCorruptError, match="sha256|checksum"):
        mm.load_digits("mnist", data_dir=tmp_path, allow_download=False)


# ---------------------------------------------------------------------------
# Layers and models
# ---------------------------------------------------------------------------


def test_rollout_feeds_predictions_back():
    keras.utils.set_random_seed(0)
    model = vm.next_frame_model((8, 8, 1), filters=(4,), patch_size=2)
    context = np.random.default_rng(0).random((2, 5, 8, 8, 1)).astype("float32")
    out = vm.rollout(model, context, 3)
    assert out.shape == (2, 3, 8, 8, 1)
    np.testing.assert_allclose(out[:, 0], np.asarray(model(context))[:, -1], atol=1e-6)
    second = np.asarray(model(np.concatenate([context, out[:, :1]], axis=1)))[:, -1]
    np.testing.assert_allclose(out[:, 1], second, atol=1e-6)
    with pytest.raises(ValueError, match="divide"):
        vm.next_frame_model((9, 9, 1), patch_size=2)
    with pytest.raises(ValueError, match="filters"):
        vm.next_frame_model((8, 8, 1), filters=())


def test_ssim_matches_tensorflow_and_is_one_for_equal_images():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    a = rng.random((3, 32, 32, 1)).astype("float32")
    b = np.clip(a + 0.2 * rng.normal(size=a.shape), 0, 1).astype("float32")
    ours = metrics.ssim(a, b)
    np.testing.assert_allclose(ours, tf.image.ssim(a, b, 1.0).numpy(), atol=0.02)
    np.testing.assert_allclose(metrics.ssim(a, a), 1.0)
    with pytest.raises(ValueError, match="shape"):
        metrics.ssim(a, b[:, :16])


def test_baselines_copy_and_extrapolate():
    context = np.zeros((1, 2, 4, 4, 1), "float32")
    context[0, 0, 0, 0] = 0.2
    context[0, 1, 0, 0] = 0.5
    frames = video.baselines(context, horizon=3)
    np.testing.assert_allclose(frames["copy_last"][0, :, 0, 0, 0], [0.5, 0.5, 0.5])
    np.testing.assert_allclose(frames["linear"][0, :, 0, 0, 0], [0.8, 1.0, 1.0])
    assert frames["blank"].sum() == 0


def test_shuffled_frames_keep_the_frames_but_not_their_order():
    clips = np.arange(2 * 6).reshape(2, 6, 1, 1, 1).astype("float32")
    shuffled = video.shuffle_frames(clips, seed=0)
    for clip, mixed in zip(clips, shuffled):
        assert sorted(mixed.ravel()) == sorted(clip.ravel())
    assert not np.array_equal(shuffled, clips)


def test_animation_is_a_gif_that_needs_no_javascript():
    """viz.animate_frames: one <img> holding an animated GIF, every frame of the longest clip."""
    import io

    from PIL import Image

    from rnn_keras import viz

    rng = np.random.default_rng(0)
    html = viz.animate_frames([rng.random((6, 8, 8)), rng.random((4, 8, 8, 1))],
                              titles=["true", "predicted"])
    assert html.data.startswith('<img src="data:image/gif;base64,') and "<script" not in html.data
    gif = Image.open(io.BytesIO(html.gif))
    assert gif.format == "GIF" and gif.n_frames == 6
