"""JSB chorales: the CSV reader, the archive, music21 conversion, MIDI and audio."""

import io
import tarfile

import numpy as np
import pytest

from rnn_keras.data import DataCorruptError
from rnn_keras.data import DataNotFoundError
from rnn_keras.data import chorales as ch

CSV = "note0,note1,note2,note3\n74,70,65,58\n74,70,65,58\n75,70,0,58\n"


def test_parse_csv():
    np.testing.assert_array_equal(ch.parse_csv(CSV), [[74, 70, 65, 58], [74, 70, 65, 58],
                                                      [75, 70, 0, 58]])


@pytest.mark.parametrize("text, line", [
    ("note0,note1,note2,note3\n74,70,65,58\n74,70,65\n", 3),
    ("note0,note1,note2,note3\n74,70,sixty,58\n", 2),
    ("note0,note1,note2,note3\n74,70,65,58\n74,70,65,200\n", 3),
    ("pitch,a,b,c\n74,70,65,58\n", 1),
])
def test_malformed_rows_name_file_and_line(text, line):
    with pytest.raises(DataCorruptError, match=f"chorale_000.csv, line {line}:"):
        ch.parse_csv(text, "train/chorale_000.csv")


def _write_archive(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_reads_a_folder_or_an_archive_in_split_and_number_order(tmp_path):
    files = {f"{split}/chorale_{n:03d}.csv": CSV.replace("74,70,65,58\n", f"{60 + n},1,1,1\n", 1)
             for split, n in [("train", 10), ("train", 2), ("valid", 5), ("test", 7)]}
    _write_archive(tmp_path / "mine.tgz", files)
    from_archive = ch.read_jsb(tmp_path / "mine.tgz")
    assert [c[0, 0] for c in from_archive["train"]] == [62, 70]
    folder = tmp_path / "jsb_chorales"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    from_folder = ch.load(data_dir=tmp_path)
    for split in ch.SPLITS:
        for a, b in zip(from_archive[split], from_folder[split]):
            np.testing.assert_array_equal(a, b)


def test_bad_archive_and_missing_data_are_clear_errors(tmp_path):
    (tmp_path / "jsb_chorales.tgz").write_bytes(b"not an archive")
    with pytest.raises(DataCorruptError, match="corrupt or incomplete"):
        ch.load(data_dir=tmp_path)
    _write_archive(tmp_path / "other.tgz", {"train/chorale_001.csv": CSV})
    with pytest.raises(DataCorruptError, match="no chorale_NNN.csv files under valid/, test/"):
        ch.read_jsb(tmp_path / "other.tgz")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataNotFoundError, match="jsb_chorales.tgz.*RNN_KERAS_DATA_DIR"):
        ch.load(data_dir=empty, allow_download=False)
    with pytest.raises(ValueError, match="argument `source`: 'midi'"):
        ch.load(source="midi")


@pytest.mark.requires_data("jsb_chorales")
def test_official_split_sizes():
    data = ch.load()
    assert [len(data[s]) for s in ch.SPLITS] == [229, 76, 77]
    pitches = np.concatenate([c.ravel() for c in data["train"]])
    assert pitches[pitches > 0].min() >= 36 and pitches.max() <= 81


def test_music21_conversion_of_real_chorales():
    music21 = pytest.importorskip("music21")
    score = music21.corpus.parse("bwv66.6")
    grid = ch.from_music21(score)
    assert grid.shape == (int(score.highestTime * 4), 4)
    # the soprano opens with C#5 (73) for an eighth (two 16ths), then B4
    np.testing.assert_array_equal(grid[:4, 0], [73, 73, 71, 71])
    assert (grid[:, 0] >= grid[:, 3]).mean() > 0.95  # soprano above bass
    with pytest.raises(ValueError, match="four-part"):
        ch.from_music21(music21.stream.Score([score.parts[0]]))


def test_midi_round_trip_gives_the_same_notes(tmp_path):
    pytest.importorskip("pretty_midi")
    rng = np.random.default_rng(0)
    voices = np.repeat(rng.integers(50, 80, size=(24, 4)), 2, axis=0).astype("int32")
    voices[5:9, 1] = 0          # a rest
    voices[10:14, 2] = voices[10:14, 1]  # unison between alto and tenor
    ch.to_midi(voices, tmp_path / "x.mid")
    np.testing.assert_array_equal(ch.read_midi(tmp_path / "x.mid"), voices)
    (tmp_path / "bad.mid").write_bytes(b"MThd nonsense")
    with pytest.raises(DataCorruptError, match="not a readable MIDI file"):
        ch.read_midi(tmp_path / "bad.mid")


def test_audio_has_the_right_length_and_no_clipping(tmp_path):
    voices = np.array([[72, 67, 64, 48]] * 8 + [[0, 0, 0, 0]] * 4 + [[74, 67, 62, 43]] * 4)
    audio = ch.synthesize(voices, step_seconds=0.125, sample_rate=8000)
    assert audio.shape == (16 * 1000,) and audio.dtype == np.float32
    assert np.abs(audio).max() == pytest.approx(0.9, abs=1e-6)
    assert np.abs(audio[8 * 1000 + 300:12 * 1000]).max() < 1e-6  # the rest is silent
    path = ch.write_wav(audio, tmp_path / "x.wav", sample_rate=8000)
    import wave

    with wave.open(str(path)) as f:
        assert f.getnframes() == len(audio) and f.getframerate() == 8000
    with pytest.raises(ValueError, match="MIDI pitches"):
        ch.synthesize(np.array([[200, 0, 0, 0]]))


def test_music21_cache_keeps_the_count_of_skipped_scores(tmp_path, monkeypatch):
    # A stand-in corpus of 4 scores, one without four parts: the count comes
    # from the corpus read, not from the size of music21's release.
    import sys
    import types

    grids = [np.full((8, 4), 60 + i, "int32") for i in range(3)]
    fake = types.ModuleType("music21")
    fake.__version__ = "test"
    fake.corpus = types.SimpleNamespace(
        chorales=types.SimpleNamespace(Iterator=lambda: ["a", "b", "bad", "c"]))
    monkeypatch.setitem(sys.modules, "music21", fake)

    def convert(score):
        if score == "bad":
            raise ValueError("not four parts")
        return grids["abc".index(score)]

    monkeypatch.setattr(ch, "from_music21", convert)
    monkeypatch.setenv("RNN_KERAS_CACHE_DIR", str(tmp_path))
    first = ch.music21_chorales(fractions=(0.34, 0.33, 0.33))
    cached = ch.music21_chorales(fractions=(0.34, 0.33, 0.33))  # read from the cache
    assert first["skipped"] == cached["skipped"] == 1
    for split in ("train", "valid", "test"):
        assert [g.tolist() for g in first[split]] == [g.tolist() for g in cached[split]]
    assert sum(len(first[s]) for s in ("train", "valid", "test")) == 3
