"""Bach chorales as four voices per 16th-note step: the JSB set, music21, MIDI files.

Every chorale is an int array of shape ``(steps, 4)``: soprano, alto, tenor,
bass, each a MIDI pitch (0 = rest), one row per 16th note; a held note
repeats its pitch.

Sources:

- ``source="jsb"`` (default): the JSB Chorales (Boulanger-Lewandowski et
  al., 2012) as CSV files ``{train,valid,test}/chorale_NNN.csv`` with the
  official 229/76/77 split: from ``jsb_chorales.tgz`` (read in place,
  sha256-checked) or its extracted folder in the data directory, else the
  public archive (*Hands-On ML*'s copy), else a clear error.
- ``source="music21"``, asked for by name: the Bach chorales that the
  ``music21`` package ships (371, offline), converted to the same grid by
  :func:`from_music21`. Chorales without exactly four parts are left out
  (and counted); notes shorter than a 16th are rounded to the grid. The
  split is made here (by chorale, fixed seed).
- :func:`read_midi`: a user's own MIDI file, to the same representation.
"""

import pathlib
import re
import tarfile

import numpy as np

from rnn_keras import _files
from rnn_keras import config
from rnn_keras.data import sources
from rnn_keras.data.errors import DataCorruptError
from rnn_keras.validation import check_choice

ARCHIVE = sources.Archive(
    name="JSB Chorales (jsb_chorales.tgz)",
    filename="jsb_chorales.tgz",
    url="https://github.com/ageron/data/raw/main/jsb_chorales.tgz",
    sha256="594e5e25a3ff8af64687c378628970c6435fddd3093d96df2fa8ca9505ce30fe",
    folder="jsb_chorales",
)
SPLITS = ("train", "valid", "test")
VOICES = ("soprano", "alto", "tenor", "bass")
STEPS_PER_QUARTER = 4  # 16th notes
_CSV_NAME = re.compile(r"(?:^|/)(train|valid|test)/chorale_(\d+)\.csv$")


def parse_csv(text, origin="<csv>"):
    """One chorale from CSV text: a ``note0,note1,note2,note3`` header, then rows.

    Returns an ``(steps, 4)`` int32 array. Raises :class:`DataCorruptError`
    naming the file and line for a row that is not four whole numbers that are
    0 (rest) or MIDI pitches 1..127.
    """
    lines = text.splitlines()
    if not lines or [c.strip() for c in lines[0].split(",")] != ["note0", "note1", "note2",
                                                                   "note3"]:
        raise DataCorruptError(f"{origin}, line 1: expected the header "
                               f"'note0,note1,note2,note3', got {lines[:1]!r}. "
                               "Replace the file with a fresh copy.")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split(",")
        try:
            row = [int(f) for f in fields]
        except ValueError:
            row = None
        if row is None or len(row) != 4 or not all(0 <= p <= 127 for p in row):
            raise DataCorruptError(
                f"{origin}, line {number}: expected four MIDI pitches 0..127 "
                f"(0 = rest), got {line!r}. Fix or replace the file.")
        rows.append(row)
    if not rows:
        raise DataCorruptError(f"{origin}: no notes. Replace the file with a fresh copy.")
    return np.asarray(rows, "int32")


def _by_split(named_texts):
    """``{split: [arrays in chorale-number order]}`` from ``(name, text)`` pairs."""
    found = {split: [] for split in SPLITS}
    for name, text in named_texts:
        match = _CSV_NAME.search(name)
        if match:
            found[match.group(1)].append((int(match.group(2)), parse_csv(text, name)))
    return {split: [array for _, array in sorted(found[split])] for split in SPLITS}


def read_jsb(path):
    """The three splits from ``jsb_chorales.tgz`` or a folder holding ``train/`` etc."""
    path = pathlib.Path(path)
    if path.is_dir():
        texts = ((str(p.relative_to(path)), p.read_text()) for p in sorted(path.rglob("*.csv")))
        splits = _by_split(texts)
    else:
        try:
            with tarfile.open(path) as archive:
                splits = _by_split(
                    (member.name, archive.extractfile(member).read().decode("utf-8"))
                    for member in archive.getmembers() if member.isfile())
        except (tarfile.TarError, EOFError, OSError) as error:
            raise DataCorruptError(f"{path}: not a readable .tgz archive ({error}). "
                                   "Replace it with a fresh copy.") from None
    empty = [split for split in SPLITS if not splits[split]]
    if empty:
        raise DataCorruptError(f"{path}: no chorale_NNN.csv files under {'/, '.join(empty)}/. "
                               f"Expected the layout of {ARCHIVE.url}.")
    return splits


def load(source="jsb", data_dir=None, allow_download=True, seed=0):
    """The chorales as ``{"train", "valid", "test"}`` lists of ``(steps, 4)`` arrays.

    Args:
        source: ``"jsb"`` (official split; local copy, else download) or
            ``"music21"`` (the corpus that ships with ``music21``; split here
            70/15/15 by chorale with ``seed``).
        data_dir: folder with local copies; default ``$RNN_KERAS_DATA_DIR``.
        allow_download: fall back to the public archive (``"jsb"``).
        seed: the split of the ``music21`` chorales.
    """
    source = check_choice("source", source, ("jsb", "music21"))
    if source == "music21":
        return music21_chorales(seed=seed)
    data_dir = config.get_data_dir(data_dir)
    if data_dir is not None and all((pathlib.Path(data_dir) / s).is_dir() for s in SPLITS):
        return read_jsb(data_dir)  # the archive extracted straight into the data dir
    return read_jsb(sources.resolve(ARCHIVE, data_dir, allow_download=allow_download))


# ---------------------------------------------------------------------------
# music21 and MIDI
# ---------------------------------------------------------------------------


def from_music21(score, steps_per_quarter=STEPS_PER_QUARTER):
    """A four-part music21 score on the 16th grid: ``(steps, 4)`` int32.

    Each part's notes fill the steps from their onset to their end (chords:
    the top note); rests and gaps are 0. Onsets and ends are rounded to the
    nearest step. Raises `ValueError` unless the score has exactly 4 parts.
    """
    parts = list(score.parts)
    if len(parts) != 4:
        raise ValueError(f"Expected a four-part chorale (SATB); this score has {len(parts)} "
                         "parts.")
    steps = int(round(float(score.highestTime) * steps_per_quarter))
    grid = np.zeros((max(steps, 1), 4), "int32")
    for voice, part in enumerate(parts):
        for element in part.flatten().notes:
            begin = int(round(float(element.offset) * steps_per_quarter))
            end = int(round(float(element.offset + element.quarterLength) * steps_per_quarter))
            pitch = max(p.midi for p in element.pitches)
            grid[begin:max(end, begin + 1), voice] = pitch
    return grid


def music21_chorales(seed=0, fractions=(0.7, 0.15, 0.15)):
    """The Bach chorales shipped with ``music21``, split by chorale.

    Converted once and cached (``RNN_KERAS_CACHE_DIR``/``music21_chorales.npz``);
    chorales without four parts are skipped. Returns the same dict as
    :func:`load`, plus ``"skipped"`` (how many were left out).
    """
    try:
        import music21
    except ImportError:
        raise ImportError("source='music21' needs the music21 package: "
                          "pip install music21") from None
    cache = sources.cache_dir() / f"music21_chorales_{music21.__version__}.npz"
    if cache.is_file():
        stored = np.load(cache, allow_pickle=False)
        chorales = [stored[k] for k in sorted((f for f in stored.files if f != "skipped"),
                                              key=int)]
        skipped = int(stored["skipped"]) if "skipped" in stored.files else 0
    else:
        chorales, skipped = [], 0
        for score in music21.corpus.chorales.Iterator():
            try:
                chorales.append(from_music21(score))
            except ValueError:
                skipped += 1
        cache.parent.mkdir(parents=True, exist_ok=True)
        # The count of skipped scores is stored too: the corpus's size is
        # music21's business (371 chorales in today's release), not ours.
        with _files.replacing(cache, suffix=".npz") as tmp:
            np.savez_compressed(tmp, skipped=np.int64(skipped),
                                **{str(i): c for i, c in enumerate(chorales)})
    order = np.random.default_rng(seed).permutation(len(chorales))
    n_train = int(round(len(order) * fractions[0]))
    n_valid = int(round(len(order) * fractions[1]))
    pick = lambda index: [chorales[i] for i in sorted(index)]  # noqa: E731
    return {"train": pick(order[:n_train]), "valid": pick(order[n_train:n_train + n_valid]),
            "test": pick(order[n_train + n_valid:]), "skipped": skipped}


def to_midi(voices, path=None, step_seconds=0.125, programs=(52, 52, 52, 52)):
    """Writes ``(steps, 4)`` voices as a MIDI file (one instrument per voice).

    Consecutive steps of the same pitch are one held note. ``step_seconds``:
    duration of a 16th (0.125 s = 120 quarter notes per minute). Programs:
    General MIDI numbers (52: choir aahs). Returns the ``pretty_midi.PrettyMIDI``
    object; with ``path`` also writes it.
    """
    import pretty_midi

    voices = _check_voices(voices)
    midi = pretty_midi.PrettyMIDI(initial_tempo=60.0 / (4 * step_seconds))
    for voice in range(voices.shape[1]):
        instrument = pretty_midi.Instrument(program=programs[voice % len(programs)],
                                            name=VOICES[voice] if voice < 4 else str(voice))
        for pitch, begin, end in held_notes(voices[:, voice]):
            instrument.notes.append(pretty_midi.Note(velocity=80, pitch=int(pitch),
                                                     start=begin * step_seconds,
                                                     end=end * step_seconds))
        midi.instruments.append(instrument)
    if path is not None:
        midi.write(str(path))
    return midi


def read_midi(path, steps_per_quarter=STEPS_PER_QUARTER, voices=4):
    """A MIDI file on the 16th grid: ``(steps, voices)``.

    A file with exactly ``voices`` (non-drum) instruments, such as one
    written by :func:`to_midi` or an SATB score, gives one voice per
    instrument, in the file's order. Otherwise (a piano part, a quartet plus bass...) the
    sounding notes of all instruments are sorted from high to low at every
    step and the top ``voices`` kept (0 where fewer sound).
    """
    import pretty_midi

    try:
        midi = pretty_midi.PrettyMIDI(str(path))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as error:  # mido's kinds
        raise DataCorruptError(f"{path}: not a readable MIDI file ({error}).") from error
    _, tempi = midi.get_tempo_changes()
    quarter = 60.0 / float(tempi[0]) if len(tempi) else 0.5
    step = quarter / steps_per_quarter
    instruments = [i for i in midi.instruments if not i.is_drum and i.notes]

    def spans(instrument):
        for note in instrument.notes:
            begin = int(round(note.start / step))
            yield note.pitch, begin, max(int(round(note.end / step)), begin + 1)

    steps = max((end for i in instruments for _, _, end in spans(i)), default=0)
    grid = np.zeros((steps, voices), "int32")
    if len(instruments) == voices:
        for voice, instrument in enumerate(instruments):
            for pitch, begin, end in spans(instrument):
                grid[begin:end, voice] = pitch
        return grid
    sounding = [[] for _ in range(steps)]
    for instrument in instruments:
        for pitch, begin, end in spans(instrument):
            for t in range(begin, end):
                sounding[t].append(pitch)
    for t, pitches in enumerate(sounding):
        top = sorted(pitches, reverse=True)[:voices]
        grid[t, :len(top)] = top
    return grid


def _check_voices(voices):
    voices = np.asarray(voices)
    if voices.ndim != 2 or not np.issubdtype(voices.dtype, np.integer):
        raise ValueError(f"Expected voices as an int array (steps, voices); got shape "
                         f"{voices.shape} and dtype {voices.dtype}.")
    if voices.min(initial=0) < 0 or voices.max(initial=0) > 127:
        raise ValueError("Voices must hold MIDI pitches 1..127 or 0 for a rest.")
    return voices


def held_notes(line):
    """``(pitch, begin_step, end_step)`` of the held notes of one voice."""
    notes, begin = [], 0
    for t in range(1, len(line) + 1):
        if t == len(line) or line[t] != line[begin]:
            if line[begin] != 0:
                notes.append((int(line[begin]), begin, t))
            begin = t
    return notes


def synthesize(voices, step_seconds=0.125, sample_rate=22050, harmonics=(1.0, 0.5, 0.25),
               peak=0.9):
    """Renders ``(steps, 4)`` voices as audio with NumPy: no fluidsynth, no soundfont.

    Each held note is a sum of sine harmonics with a short attack and a
    release, so repeated pitches are heard as one note; the mix is scaled to
    ``peak`` (no clipping). Returns float32 samples of length ``steps *
    step_seconds * sample_rate``, ready for ``IPython.display.Audio(samples,
    rate=sample_rate)`` or :func:`write_wav`.
    """
    voices = _check_voices(voices)
    n = int(round(len(voices) * step_seconds * sample_rate))
    audio = np.zeros(n, "float64")
    for voice in range(voices.shape[1]):
        for pitch, begin, end in held_notes(voices[:, voice]):
            start = int(round(begin * step_seconds * sample_rate))
            stop = min(int(round(end * step_seconds * sample_rate)), n)
            t = np.arange(stop - start) / sample_rate
            frequency = 440.0 * 2.0 ** ((pitch - 69) / 12.0)
            tone = sum(a * np.sin(2 * np.pi * frequency * (k + 1) * t)
                       for k, a in enumerate(harmonics))
            envelope = np.minimum(1.0, t / 0.01) * np.minimum(1.0, (t[::-1] + 1e-9) / 0.03)
            audio[start:stop] += tone * envelope
    loudest = np.abs(audio).max()
    if loudest > 0:
        audio *= peak / loudest
    return audio.astype("float32")


def write_wav(samples, path, sample_rate=22050):
    """Writes float samples in [-1, 1] as a 16-bit mono WAV file (standard library)."""
    import wave

    samples = np.clip(np.asarray(samples, "float64"), -1.0, 1.0)
    data = (samples * 32767).astype("<i2").tobytes()
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sample_rate)
        f.writeframes(data)
    return path

