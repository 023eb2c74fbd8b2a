"""Speech: the FSDD reader, splits, digit strings, the log-mel front end, CTC."""

import io
import tarfile

import keras
import numpy as np
import pytest

import helpers
from rnn_keras import decoding
from rnn_keras import metrics
from rnn_keras import models
from rnn_keras.data import DataCorruptError
from rnn_keras.data import DataNotFoundError
from rnn_keras.data import spoken_digits as sd
from rnn_keras.layers import BlankPadding
from rnn_keras.layers import LogMelSpectrogram
from rnn_keras.layers import SpecAugment
from rnn_keras.losses import CTCLoss

SPEAKERS = ("ann", "bob")


@pytest.fixture
def small(tmp_path):
    """Two speakers x 3 digits x 7 recordings, read back (not the full 3,000)."""
    root = helpers.write_fsdd(tmp_path, speakers=SPEAKERS, digits=range(3), per=7)
    return sd.read_recordings(root / sd.ARCHIVE.folder, expect_all=False)


# --- reading --------------------------------------------------------------------


def test_read_wav_decodes_16_bit_pcm_to_floats():
    samples = np.array([0, 16384, -32768, 32767], "int16")
    out = sd.read_wav(helpers.wav_bytes(samples))
    np.testing.assert_allclose(out, samples / 32768.0)
    assert out.dtype == np.float32


@pytest.mark.parametrize("kwargs, message", [
    (dict(rate=16000), "sampled at 16000 Hz, expected 8000"),
    (dict(channels=2), "2 channels, expected mono"),
    (dict(width=1), "8-bit samples"),
    (dict(declared=400), "truncated: 100 of the 400 samples"),
])
def test_read_wav_rejects_other_formats_and_truncated_files_naming_the_file(kwargs, message):
    data = helpers.wav_bytes(np.ones(100 * kwargs.get("channels", 1)), **kwargs)
    with pytest.raises(DataCorruptError, match=message) as error:
        sd.read_wav(data, name="recordings/3_theo_7.wav")
    assert "recordings/3_theo_7.wav" in str(error.value)


def test_read_wav_rejects_bytes_that_are_no_wav():
    with pytest.raises(DataCorruptError, match="not a readable WAV file"):
        sd.read_wav(b"RIFF0000 not a wave", name="x.wav")


def test_reading_a_folder_and_an_archive_gives_the_same_recordings(tmp_path, small):
    root = tmp_path / sd.ARCHIVE.folder
    archive = tmp_path / "copy.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(root, arcname=sd.ARCHIVE.folder)
    packed = sd.read_recordings(archive, expect_all=False)
    assert len(small) == len(packed) == 2 * 3 * 7
    assert list(small.names) == list(packed.names)
    assert all(np.array_equal(a, b) for a, b in zip(small.audio, packed.audio))
    first = small.names[0]
    assert first == "0_ann_0.wav" and small.digits[0] == 0 and small.speakers[0] == "ann"


def test_a_bad_file_inside_the_archive_is_named(tmp_path):
    archive = tmp_path / "fsdd.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        data = helpers.wav_bytes(np.ones(50), rate=44100)
        info = tarfile.TarInfo("free-spoken-digit-dataset-1.0.10/recordings/4_bob_2.wav")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(DataCorruptError, match=r"4_bob_2\.wav: sampled at 44100 Hz"):
        sd.read_recordings(archive, expect_all=False)


def test_an_incomplete_copy_is_an_error_saying_how_many(tmp_path, small):
    with pytest.raises(DataCorruptError, match="found 42 recordings .* expected 3000"):
        sd.read_recordings(tmp_path / sd.ARCHIVE.folder)


def test_load_reads_the_folder_in_the_data_dir(fsdd_dir):
    recordings = sd.load(data_dir=fsdd_dir)
    assert len(recordings) == 3000
    assert set(recordings.speakers) == set(sd.SPEAKERS)


def test_no_copy_and_no_network_is_a_clear_error(tmp_path, offline_cache):
    with pytest.raises(DataNotFoundError, match="RNN_KERAS_DATA_DIR") as error:
        sd.load(data_dir=tmp_path)
    assert "fsdd-1.0.10.tgz" in str(error.value) and sd.ARCHIVE.url in str(error.value)


def test_a_corrupt_repacked_archive_fails_its_checksum(tmp_path):
    (tmp_path / "fsdd-1.0.10.tgz").write_bytes(b"not the archive")
    with pytest.raises(DataCorruptError, match="corrupt or incomplete"):
        sd.load(data_dir=tmp_path)


# --- splits and strings -----------------------------------------------------------


def test_the_official_split_puts_recordings_0_to_4_in_test_and_shares_none(small):
    train, test = sd.split(small, "official")
    assert not set(train) & set(test) and len(train) + len(test) == len(small)
    assert set(small.indices[test]) == {0, 1, 2, 3, 4}
    assert set(small.indices[train]) == {5, 6}
    assert set(small.speakers[test]) == set(small.speakers[train]) == set(SPEAKERS)


def test_every_speaker_fold_holds_out_one_speaker_entirely(small):
    seen = []
    for speaker in SPEAKERS:
        train, test = sd.split(small, "speaker", speaker=speaker)
        assert set(small.speakers[test]) == {speaker}
        assert speaker not in set(small.speakers[train])
        assert len(train) + len(test) == len(small)
        seen.extend(test)
    assert sorted(seen) == list(range(len(small)))  # the folds cover every recording once


def test_split_arguments_are_checked(small):
    with pytest.raises(ValueError, match="speaker"):
        sd.split(small, "speaker", speaker="nobody")
    with pytest.raises(ValueError, match="holds out no speaker"):
        sd.split(small, "official", speaker="ann")
    with pytest.raises(ValueError, match="kind"):
        sd.split(small, "random")


def test_the_validation_part_comes_from_train_with_every_speaker_and_digit(small):
    train, _ = sd.split(small, "official")
    keep, held = sd.validation_split(small, train, fraction=0.5, seed=0)
    assert not set(keep) & set(held) and set(keep) | set(held) == set(train)
    assert len(set(zip(small.speakers[held], small.digits[held]))) == 6


def test_digit_strings_hold_the_recordings_their_labels_name(small):
    _, test = sd.split(small, "official")
    strings = sd.digit_strings(small, test, 20, min_digits=2, max_digits=4, seed=3)
    for wav, labels, bounds, used, speaker in zip(strings.audio, strings.labels,
                                                  strings.segments, strings.sources,
                                                  strings.speakers):
        assert 2 <= len(labels) <= 4 and len(bounds) == len(used) == len(labels)
        assert set(used) <= set(test)                    # test strings: test recordings only
        assert set(small.speakers[used]) == {speaker}    # one speaker per string
        np.testing.assert_array_equal(labels, small.digits[used])
        for (start, end), index in zip(bounds, used):
            np.testing.assert_array_equal(wav[start:end], small.audio[index])
        assert (bounds[1:, 0] > bounds[:-1, 1]).all()     # a pause between digits
        assert (wav[:bounds[0, 0]] == 0).all() and bounds[0, 0] > 0


def test_noise_is_added_at_the_stated_snr(small):
    strings = sd.digit_strings(small, np.arange(len(small)), 30, snr_db=10, seed=0)
    clean = sd.digit_strings(small, np.arange(len(small)), 30, seed=0)
    ratios = [10 * np.log10(np.mean(c ** 2) / np.mean((n - c) ** 2))
              for c, n in zip(clean.audio, strings.audio)]
    assert abs(np.mean(ratios) - 10) < 0.3


def test_pad_labels_leaves_class_0_for_the_blank():
    np.testing.assert_array_equal(sd.pad_labels([np.array([0, 9]), np.array([3])]),
                                  [[1, 10], [4, 0]])


def test_padded_batches_see_every_utterance_once_per_epoch_padded_to_the_rounding():
    audio = np.empty(10, dtype=object)
    audio[:] = [np.ones(100 * (i + 1), "float32") for i in range(10)]
    batches = sd.padded_batches(audio, np.arange(10), batch_size=3, round_to=250, seed=0)
    orders = []
    for _ in range(2):
        seen = []
        for i in range(len(batches)):
            x, y = batches[i]
            # batch 0: half a rounding more, so no two first batches share a width
            assert x.shape[1] % 250 == (125 if i == 0 else 0)
            assert x.shape[1] >= max(100 * (k + 1) for k in y)
            for row, k in zip(x, y):
                assert row[:100 * (k + 1)].all() and not row[100 * (k + 1):].any()
            seen.extend(y)
        assert sorted(seen) == list(range(10))
        orders.append(seen)
        batches.on_epoch_end()
    assert orders[0] != orders[1]


# --- the front end ----------------------------------------------------------------


@pytest.mark.jax
def test_log_mel_frames_shape_and_mask_follow_the_last_non_zero_sample(rng):
    layer = LogMelSpectrogram(sampling_rate=8000, frame_length=200, frame_step=80,
                              num_mel_bins=20)
    audio = np.zeros((2, 800), "float32")
    audio[0, :800] = rng.normal(size=800)
    audio[1, :400] = rng.normal(size=400)
    frames = keras.ops.convert_to_numpy(layer(audio))
    mask = keras.ops.convert_to_numpy(layer.compute_mask(audio))
    assert frames.shape == (2, 11, 20)
    # frame f's window covers samples [80 f - 100, 80 f + 100): real if it ends in time
    assert mask[0].tolist() == [True] * 9 + [False] * 2
    assert mask[1].tolist() == [True] * 4 + [False] * 7
    assert not frames[1, 4:].any()
    real = frames[0, :9]
    np.testing.assert_allclose(real.mean(0), 0, atol=1e-4)
    np.testing.assert_allclose(real.std(0), 1, atol=0.02)


@pytest.mark.jax
def test_an_utterance_gets_the_same_features_alone_and_beside_a_loud_one(rng):
    # keras.layers.MelSpectrogram's dB scale clips relative to the batch maximum;
    # this front end must not depend on the batch.
    layer = LogMelSpectrogram(normalize=False)
    quiet = 1e-3 * rng.normal(size=(1, 1600)).astype("float32")
    loud = 10 * rng.normal(size=(1, 1600)).astype("float32")
    alone = keras.ops.convert_to_numpy(layer(quiet))
    together = keras.ops.convert_to_numpy(layer(np.concatenate([quiet, loud])))[:1]
    np.testing.assert_allclose(alone, together, rtol=1e-5, atol=1e-5)


def test_log_mel_config_round_trips_and_bad_arguments_are_named():
    layer = LogMelSpectrogram(sampling_rate=16000, frame_length=400, frame_step=160,
                              fft_length=512, num_mel_bins=64, max_freq=7600.0)
    again = LogMelSpectrogram.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="fft_length"):
        LogMelSpectrogram(frame_length=400, fft_length=256)
    with pytest.raises(ValueError, match="max_freq"):
        LogMelSpectrogram(sampling_rate=8000, max_freq=6000)


@pytest.mark.parametrize("kind", ["rnn", "cnn"])
def test_word_classifier_takes_raw_audio(kind, rng):
    model = models.word_classifier(10, kind=kind, units=8, num_layers=1, num_mel_bins=16,
                                   cnn_filters=(4, 8))
    out = model(rng.normal(size=(3, 2400)).astype("float32"))
    assert out.shape == (3, 10)


@pytest.mark.jax
def test_padding_does_not_change_what_the_recurrent_classifier_says(rng):
    model = models.word_classifier(10, units=8, num_mel_bins=16)
    audio = rng.normal(size=(1, 2000)).astype("float32")
    padded = np.concatenate([audio, np.zeros((1, 3000), "float32")], axis=1)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(audio)),
                               keras.ops.convert_to_numpy(model(padded)), atol=1e-5)


def test_builders_check_their_arguments():
    with pytest.raises(ValueError, match="kind"):
        models.word_classifier(10, kind="transformer")
    with pytest.raises(ValueError, match="cell"):
        models.ctc_recognizer(10, cell="rnn")


@pytest.mark.parametrize("make", [BlankPadding, CTCLoss], ids=["BlankPadding", "CTCLoss"])
def test_a_bad_blank_index_is_named_as_passed(make):
    """Regression: ``blank=-1`` was reported as ``0`` (the check ran on ``blank + 1``)."""
    for bad, shown in ((-1, "-1"), (1.5, "1.5"), (True, "True")):
        with pytest.raises(ValueError, match=rf"argument `blank`: {shown}\. Expected an "
                                             r"integer >= 0"):
            make(blank=bad)
    assert make(blank=0).blank == 0 and make(blank=10).blank == 10


# --- CTC --------------------------------------------------------------------------


def test_ctc_collapse_merges_repeats_then_drops_blanks():
    assert decoding.ctc_collapse([1, 1, 0, 1, 2, 2, 0]).tolist() == [1, 1, 2]
    assert decoding.ctc_collapse([0, 0, 0]).tolist() == []
    assert decoding.ctc_collapse([3, 3, 3]).tolist() == [3]


def _one_hot_logits(paths, classes=4):
    logits = np.full((len(paths), len(paths[0]), classes), -8.0, "float32")
    for b, path in enumerate(paths):
        logits[b, np.arange(len(path)), path] = 8.0
    return logits


@pytest.mark.jax
def test_greedy_and_beam_ctc_decoding_on_hand_made_posteriors():
    logits = _one_hot_logits([[1, 1, 0, 1, 2, 2], [3, 0, 0, 3, 3, 0]])
    for decode in (decoding.ctc_greedy, decoding.ctc_beam):
        assert [d.tolist() for d in decode(logits)] == [[1, 1, 2], [3, 3]]
    assert [d.tolist() for d in decoding.ctc_greedy(logits, lengths=[2, 6])] == [[1], [3, 3]]


@pytest.mark.jax
def test_beam_search_sums_the_paths_that_greedy_decoding_misses():
    # Two frames, p(blank) = 0.6, p(a) = 0.4: the best path is "blank blank" (0.36),
    # but "a" has three paths (aa, a-, -a): 0.16 + 0.24 + 0.24 = 0.64.
    logits = np.log(np.array([[[0.6, 0.4], [0.6, 0.4]]], "float32"))
    assert decoding.ctc_greedy(logits)[0].tolist() == []
    assert decoding.ctc_beam(logits, beam_width=4)[0].tolist() == [1]


@pytest.mark.jax
def test_blank_padding_leaves_the_ctc_loss_of_every_utterance_unchanged(rng):
    logits = rng.normal(size=(2, 9, 5)).astype("float32")
    lengths = np.array([9, 5], "int32")
    labels = np.array([[1, 2, 2], [3, 4, 0]], "int32")
    mask = np.arange(9)[None, :] < lengths[:, None]
    padded = keras.ops.convert_to_numpy(BlankPadding(blank=0)(logits, mask=mask))
    expected = keras.ops.convert_to_numpy(keras.ops.ctc_loss(
        labels, logits, np.array([3, 2], "int32"), lengths, mask_index=0))
    got = keras.ops.convert_to_numpy(CTCLoss(blank=0, reduction=None)(labels, padded))
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    assert decoding.ctc_greedy(padded)[1].tolist() == decoding.ctc_greedy(logits, [9, 5])[1].tolist()


def test_edit_distance_and_error_rate_by_hand():
    assert metrics.edit_distance([1, 2, 3], [1, 3]) == 1          # one deletion
    assert metrics.edit_distance([1, 2, 3], [1, 4, 3, 5]) == 2    # substitution + insertion
    assert metrics.edit_distance([], [7, 7]) == 2
    assert metrics.error_rate([[1, 2, 3], [4, 5]], [[1, 3], [4, 5]]) == pytest.approx(1 / 5)
    with pytest.raises(ValueError, match="references"):
        metrics.error_rate([[1]], [])


@pytest.mark.jax
def test_ctc_recognizer_learns_a_toy_task_with_jit_compile(rng):
    # Label d is a burst of noise of pitch-free loudness d: enough to check that
    # loss, padding and decoding fit together, not a speech result.
    keras.utils.set_random_seed(0)
    model = models.ctc_recognizer(2, units=16, num_layers=1, bidirectional=False,
                                  num_mel_bins=8, frame_length=64, frame_step=32,
                                  fft_length=64)
    model.compile(keras.optimizers.Adam(1e-2), CTCLoss(), jit_compile=True)
    audio = 0.5 * rng.normal(size=(8, 640)).astype("float32")
    audio[:, 500:] = 0
    history = model.fit(audio, np.ones((8, 1), "int32"), epochs=3, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0]


# --- SpecAugment -----------------------------------------------------------------


@pytest.mark.jax
def test_spec_augment_masks_bands_and_spans_in_training_only(rng):
    layer = SpecAugment(freq_masks=1, freq_width=4, time_masks=1, time_width=3, seed=1)
    x = rng.normal(size=(16, 20, 10)).astype("float32") + 5.0  # no zeros of its own
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    dropped = out == 0
    assert dropped.any() and ((out == x) | dropped).all()
    for example in dropped:
        bands = example.all(axis=0)       # a masked band is zero at every frame
        frames = example.all(axis=1)      # a masked span is zero in every band
        assert bands.sum() <= 4 and frames.sum() <= 3
        lone = example & ~bands[None, :] & ~frames[:, None]
        assert not lone.any()             # nothing is zeroed outside bands and spans
        assert np.all(np.diff(np.flatnonzero(bands)) == 1) or bands.sum() <= 1


def test_spec_augment_config_round_trips_and_keeps_the_mask():
    layer = SpecAugment(freq_masks=2, freq_width=5, time_masks=3, time_width=7, seed=3)
    assert SpecAugment.from_config(layer.get_config()).get_config() == layer.get_config()
    mask = np.array([[True, True, False]])
    assert layer.compute_mask(np.zeros((1, 3, 4)), mask) is mask
    with pytest.raises(ValueError, match="freq_width"):
        SpecAugment(freq_width=-1)


@pytest.mark.jax
def test_word_classifier_with_spec_augment_trains_with_jit_compile(rng):
    model = models.word_classifier(3, units=4, num_layers=1, num_mel_bins=8,
                                   spec_augment={"freq_masks": 1, "freq_width": 2,
                                                 "time_masks": 1, "time_width": 2})
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=True)
    audio = rng.normal(size=(8, 1600)).astype("float32")
    model.fit(audio, np.arange(8) % 3, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="spec_augment"):
        models.word_classifier(3, spec_augment=True)


# --- the experiment's baselines ----------------------------------------------------


def test_cut_at_pauses_finds_the_words_between_silences():
    from rnn_keras.experiments import speech

    rate = 8000
    word = np.sin(np.linspace(0, 400, int(0.1 * rate))).astype("float32")
    gap = np.zeros(int(0.1 * rate), "float32")
    wav = np.concatenate([gap, word, gap, word, gap[:100], word, gap])
    pieces = speech.cut_at_pauses(wav, rate)
    # the third word follows the second after 12.5 ms: too short a pause to split
    assert len(pieces) == 2
    (a, b), (c, d) = pieces
    assert abs(a - 800) <= 80 and abs(b - 1600) <= 80 and abs(c - 2400) <= 80
    assert abs(d - (2400 + 1600 + 100)) <= 80


def test_mfcc_statistics_and_the_constant_guess(small):
    from rnn_keras.experiments import speech

    settings = speech.SETTINGS["smoke"]
    features = speech.mfcc_statistics(small.audio[:5], settings)
    assert features.shape == (5, 65) and np.isfinite(features).all()
    # tones of one pitch per digit: the statistics tell the digits apart
    assert not np.allclose(features[0], features[-1])
    labels = np.empty(3, dtype=object)
    labels[:] = [np.array([7, 7, 1]), np.array([7, 7, 2, 7]), np.array([3, 7, 7, 7])]
    data = type("D", (), {"strings": {"train": type("S", (), {"labels": labels})()}})()
    # digit 7; "77" errs 5 of 11 digits, "777" 3, "7777" 4: three times it is
    assert speech.constant_guess(data).tolist() == [7, 7, 7]
    assert speech.confusion([0, 1, 1], [0, 1, 2], classes=3).tolist() == [
        [1, 0, 0], [0, 1, 1], [0, 0, 0]]


def test_spike_statistics_count_frames_inside_digits_only():
    from types import SimpleNamespace

    from rnn_keras.experiments import speech

    # 6 frames of 10 samples: frames 1-2 lie inside the one digit (samples 10-30)
    logits = np.full((6, 11), -9.0, "float32")
    logits[:, 0] = 9.0                      # certain blanks everywhere ...
    logits[1, 0], logits[1, 4] = 0.0, 0.0   # ... but frame 1: blank and "3" tied
    logits[2, 0], logits[2, 4] = -9.0, 9.0  # frame 2: a certain "3" spike
    strings = SimpleNamespace(segments=[[(10, 30)]])
    stats = speech.spike_statistics([logits], strings, frame_step=10)
    assert stats["labelled_frames"] == 1 and stats["digit_frames"] == 2
    assert stats["mean_top_probability"] == pytest.approx((0.5 + 1.0) / 2, abs=1e-3)
