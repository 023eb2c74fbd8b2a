"""The Free Spoken Digit Dataset (FSDD): 3,000 recordings of the digits 0-9.

Six speakers (george, jackson, lucas, nicolas, theo, yweweler) say each digit
50 times; mono WAV files at 8 kHz, 16 bits, trimmed to the word (0.14-2.3 s,
median 0.42 s). Files are named ``{digit}_{speaker}_{index}.wav``. Zohar
Jackson et al., release v1.0.10, CC BY-SA 4.0.

Sources, in order (docs/design.md):

1. a local copy in the data directory: the extracted folder
   (``free-spoken-digit-dataset-1.0.10/recordings/*.wav``), the repacked
   ``fsdd-1.0.10.tgz`` (sha256 checked), or GitHub's release archive
   ``free-spoken-digit-dataset-1.0.10.tar.gz``; archives are read in place;
2. GitHub's release archive of tag v1.0.10, downloaded with a bounded timeout.
   GitHub publishes no checksum of its generated archives, so that one is
   checked by content: every file is read strictly and all 3,000 must be
   there;
3. a :class:`~rnn_keras.data.DataNotFoundError` naming ``RNN_KERAS_DATA_DIR``,
   the file names and the URL.

Reading is strict (:func:`read_wav`): a truncated file, another sampling rate,
stereo or anything but 16-bit PCM raises :class:`~rnn_keras.data.DataCorruptError`
naming the file.

Two splits (:func:`split`):

- ``"official"``: recordings 0-4 of every speaker and digit are the test set
  (300), the rest train (2,700): the same six speakers on both sides;
- ``"speaker"``: one speaker held out entirely (500 test recordings), the
  five others train; :data:`SPEAKERS` gives the six folds.

:func:`digit_strings` joins recordings of one speaker into connected digit
strings (for CTC), with pauses and optional noise at a stated SNR.
"""

import dataclasses
import io
import pathlib
import re
import tarfile
import wave

import keras
import numpy as np

from rnn_keras.data import sources
from rnn_keras.data.errors import DataCorruptError
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_positive_int

ARCHIVE = sources.Archive(
    name="Free Spoken Digit Dataset (FSDD v1.0.10)",
    filename="free-spoken-digit-dataset-1.0.10.tar.gz",
    url="https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz",
    sha256=None,  # GitHub's generated archives have no published checksum: checked by content
    folder="free-spoken-digit-dataset-1.0.10",
    alternates=(("fsdd-1.0.10.tgz",
                 "be0056fc69ce046016fe2bc00c1e28b85a0b92bfe40e406b45c6c9e2826513cd"),),
)
SAMPLING_RATE = 8000
SPEAKERS = ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")
RECORDINGS = 3000
TEST_INDICES = range(5)  # the official split: recordings 0-4 of every speaker and digit
SPLITS = ("official", "speaker")
_NAME = re.compile(r"(?:^|/)recordings/(\d)_([a-z]+)_(\d+)\.wav$")


@dataclasses.dataclass
class Recordings:
    """Recordings as parallel arrays.

    Attributes:
        audio: object array of float32 waveforms in [-1, 1), one per recording.
        digits: int32, the digit said.
        speakers: object array of speaker names.
        indices: int32, the recording's index (0-49) for its speaker and digit.
        names: object array of file names.
        rate: sampling rate in Hz.
    """

    audio: np.ndarray
    digits: np.ndarray
    speakers: np.ndarray
    indices: np.ndarray
    names: np.ndarray
    rate: int = SAMPLING_RATE

    def __len__(self):
        return len(self.digits)

    def subset(self, index):
        return Recordings(self.audio[index], self.digits[index], self.speakers[index],
                          self.indices[index], self.names[index], self.rate)

    def durations(self):
        """Seconds of each recording."""
        return np.array([len(a) for a in self.audio]) / self.rate


def read_wav(data, name="<bytes>", rate=SAMPLING_RATE):
    """Decodes a mono 16-bit PCM WAV file (bytes) at ``rate`` Hz to float32 in [-1, 1).

    Raises:
        DataCorruptError: not a WAV file, another rate, more than one channel,
            not 16-bit, or fewer samples than its header declares (truncated).
    """
    try:
        with wave.open(io.BytesIO(data)) as reader:
            channels, width, found_rate, frames = (reader.getnchannels(), reader.getsampwidth(),
                                                   reader.getframerate(), reader.getnframes())
            pcm = reader.readframes(frames)
    except (wave.Error, EOFError) as error:
        raise DataCorruptError(f"{name}: not a readable WAV file ({error}). Replace it with the "
                               f"original from {ARCHIVE.url}.") from None
    problems = []
    if found_rate != rate:
        problems.append(f"sampled at {found_rate} Hz, expected {rate}")
    if channels != 1:
        problems.append(f"{channels} channels, expected mono")
    if width != 2:
        problems.append(f"{8 * width}-bit samples, expected 16-bit PCM")
    if len(pcm) != frames * channels * width:
        problems.append(f"truncated: {len(pcm) // max(channels * width, 1)} of the {frames} "
                        "samples its header declares")
    if problems:
        raise DataCorruptError(f"{name}: " + "; ".join(problems) + ". Replace it with the "
                               f"original from {ARCHIVE.url}.")
    return np.frombuffer(pcm, "<i2").astype("float32") / 32768.0


def _collect(entries, where, expect_all):
    rows = []
    for name, read in entries:
        match = _NAME.search(name)
        if match:
            digit, speaker, index = match.groups()
            rows.append((speaker, int(digit), int(index), pathlib.PurePosixPath(name).name,
                         read_wav(read(), name=f"{where}: {name}")))
    if not rows or (expect_all and len(rows) != RECORDINGS):
        raise DataCorruptError(
            f"{ARCHIVE.name}: found {len(rows)} recordings in {where}, expected {RECORDINGS} "
            f"files recordings/{{digit}}_{{speaker}}_{{index}}.wav. Replace it with a fresh "
            f"copy of {ARCHIVE.url}.")
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return Recordings(audio=_objects([r[4] for r in rows]),
                      digits=np.array([r[1] for r in rows], "int32"),
                      speakers=np.array([r[0] for r in rows], dtype=object),
                      indices=np.array([r[2] for r in rows], "int32"),
                      names=np.array([r[3] for r in rows], dtype=object))


def read_recordings(path, expect_all=True):
    """Reads an FSDD folder (with ``recordings/``, or the ``recordings`` folder itself)
    or a ``.tar.gz`` archive of one, in place.

    ``expect_all``: require all 3,000 recordings (off for small test copies).
    """
    path = pathlib.Path(path)
    if path.is_dir():
        root = path if path.name == "recordings" else path / "recordings"
        if not root.is_dir():
            nested = sorted(path.glob("*/recordings"))
            root = nested[0] if nested else root
        files = sorted(root.glob("*.wav"))
        return _collect((("recordings/" + f.name, f.read_bytes) for f in files), str(path),
                        expect_all)
    try:
        with tarfile.open(path, "r:*") as archive:
            def entries():
                for member in archive:
                    if member.isfile() and member.name.endswith(".wav"):
                        yield member.name, archive.extractfile(member).read
            return _collect(entries(), str(path), expect_all)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DataCorruptError(f"{ARCHIVE.name}: cannot read {str(path)!r} as a tar archive "
                               f"({error}). Replace it with a fresh copy of {ARCHIVE.url}."
                               ) from None


def load(data_dir=None, allow_download=True, timeout=60):
    """All 3,000 recordings as :class:`Recordings` (sorted by speaker, digit, index)."""
    path = sources.resolve(ARCHIVE, data_dir=data_dir, allow_download=allow_download,
                           timeout=timeout)
    return read_recordings(path)


def split(recordings, kind="official", speaker=None):
    """``(train, test)`` index arrays into ``recordings``.

    Args:
        kind: ``"official"`` (recording indices 0-4 are test) or ``"speaker"``
            (every recording of ``speaker`` is test, the other speakers train).
        speaker: the held-out speaker, one of :data:`SPEAKERS` (``"speaker"`` only).
    """
    kind = check_choice("kind", kind, SPLITS)
    if kind == "official":
        if speaker is not None:
            raise ValueError(f"The official split holds out no speaker; got speaker={speaker!r}. "
                             "Use kind='speaker' to hold one out.")
        test = np.isin(recordings.indices, list(TEST_INDICES))
    else:
        speaker = check_choice("speaker", speaker, sorted(set(recordings.speakers)))
        test = recordings.speakers == speaker
    return np.flatnonzero(~test), np.flatnonzero(test)


def validation_split(recordings, train, fraction=0.1, seed=0):
    """Carves a validation part out of the ``train`` indices, by speaker and digit
    (stratified: every speaker and digit keeps the same share): ``(train, validation)``."""
    rng = np.random.default_rng(seed)
    keep, held = [], []
    for key in sorted(set(zip(recordings.speakers[train], recordings.digits[train]))):
        group = train[(recordings.speakers[train] == key[0])
                      & (recordings.digits[train] == key[1])]
        group = rng.permutation(group)
        n = int(round(len(group) * fraction))
        held.extend(group[:n])
        keep.extend(group[n:])
    return np.sort(np.array(keep, "int64")), np.sort(np.array(held, "int64"))


def pad(audio, length=None):
    """Right-pads (with zeros) or crops waveforms to one length: ``(batch, length)`` float32.

    ``length`` in samples; default the longest. The models read an
    utterance's length as the position of its last non-zero sample, so pad
    with zeros and on the right.
    """
    length = max(len(a) for a in audio) if length is None else check_positive_int(
        "length", length)
    out = np.zeros((len(audio), length), "float32")
    for row, wav in zip(out, audio):
        row[:min(len(wav), length)] = wav[:length]
    return out


def add_noise(audio, snr_db, rng):
    """``audio`` plus white noise at ``snr_db`` dB below its own power."""
    power = float(np.mean(audio ** 2)) or 1e-12
    noise = rng.normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), size=audio.shape)
    return (audio + noise).astype("float32")


@dataclasses.dataclass
class DigitStrings:
    """Connected digit strings made from single recordings.

    Attributes:
        audio: object array of float32 waveforms.
        labels: object array of int arrays, the digits said, in order.
        segments: object array of ``(n, 2)`` int arrays: start and end sample
            of each digit's recording inside the waveform.
        sources: object array of int arrays: which recording (index into the
            :class:`Recordings` it was made from) each digit is.
        speakers: the speaker of each string.
        rate: sampling rate in Hz.
    """

    audio: np.ndarray
    labels: np.ndarray
    segments: np.ndarray
    sources: np.ndarray
    speakers: np.ndarray
    rate: int = SAMPLING_RATE

    def __len__(self):
        return len(self.labels)


def _objects(items):
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def digit_strings(recordings, pool, n, *, min_digits=3, max_digits=7, pause=(0.05, 0.3),
                  snr_db=None, seed=0):
    """``n`` strings of ``min_digits``-``max_digits`` digits, each said by one speaker.

    Every string picks a speaker, then digits at random, each digit one of
    that speaker's recordings in ``pool`` (indices into ``recordings``: pass
    the test indices for test strings, so no test string contains a training
    recording), joined with pauses of ``pause`` seconds (uniform; also before
    the first and after the last digit). With ``snr_db``, white noise at that
    signal-to-noise ratio (over the whole string) is added, drawn apart
    from the strings themselves: the same ``seed`` gives the same strings
    with and without noise.
    """
    check_positive_int("n", n)
    check_positive_int("min_digits", min_digits)
    if max_digits < min_digits:
        raise ValueError(f"max_digits ({max_digits}) must be >= min_digits ({min_digits}).")
    pool = np.asarray(pool)
    if pool.size == 0:
        raise ValueError("`pool` holds no recordings to make strings from.")
    rng = np.random.default_rng(seed)
    noise_rng = np.random.default_rng([seed, 1])
    rate = recordings.rate
    by_speaker = {}
    for i in pool:
        by_speaker.setdefault(recordings.speakers[i], []).append(i)
    names = sorted(by_speaker)
    audio, labels, segments, used, speakers = [], [], [], [], []
    for _ in range(n):
        speaker = names[rng.integers(len(names))]
        choices = np.array(by_speaker[speaker])
        picked = rng.choice(choices, size=rng.integers(min_digits, max_digits + 1))
        gaps = rng.uniform(*pause, size=len(picked) + 1)
        pieces, bounds, at = [], [], 0
        for gap, index in zip(gaps, picked):
            silence = np.zeros(int(round(gap * rate)), "float32")
            pieces += [silence, recordings.audio[index]]
            at += len(silence)
            bounds.append((at, at + len(recordings.audio[index])))
            at += len(recordings.audio[index])
        pieces.append(np.zeros(int(round(gaps[-1] * rate)), "float32"))
        wav = np.concatenate(pieces)
        if snr_db is not None:
            wav = add_noise(wav, snr_db, noise_rng)
        audio.append(wav)
        labels.append(recordings.digits[picked].astype("int32"))
        segments.append(np.array(bounds, "int64"))
        used.append(picked.astype("int64"))
        speakers.append(speaker)
    return DigitStrings(_objects(audio), _objects(labels), _objects(segments), _objects(used),
                        np.array(speakers, dtype=object), rate)


def pad_labels(labels, offset=1):
    """Label sequences as a right-padded int32 matrix of ``label + offset`` (0 = padding).

    With ``offset=1``, class 0 is left for CTC's blank and digit d is class d + 1.
    """
    width = max(len(seq) for seq in labels)
    out = np.zeros((len(labels), width), "int32")
    for row, seq in zip(out, labels):
        row[:len(seq)] = np.asarray(seq) + offset
    return out


class PaddedBatches(keras.utils.PyDataset):
    """Batches of waveforms of similar length, each padded to its own longest.

    A ``keras.utils.PyDataset`` of ``(waveforms, targets)`` batches (or
    waveforms alone when ``targets`` is ``None``, for predict). Utterances
    are sorted by length (with a little noise, so batches differ between
    epochs) and cut into batches, each right-padded to a multiple of
    ``round_to`` samples (few distinct shapes, so few retraces); the order
    of the batches is shuffled every epoch from ``seed``. Saves most of the
    compute that padding every string to the longest would waste. Batch 0
    gets half a rounding more, so that Keras's TensorFlow adapter, which
    reads the shapes of the first two batches, leaves the length unknown.

    Args:
        audio: a sequence of 1-D waveforms.
        targets: an array with one row per utterance (label matrices from
            :func:`pad_labels`, or classes), or ``None``.
        batch_size, round_to: utterances per batch; padding granularity in samples.
        shuffle, seed: reshuffle every epoch, from this seed.

    Attributes:
        batches: the utterance indices of each batch, in the current order.
    """

    def __init__(self, audio, targets=None, batch_size=32, round_to=4000, shuffle=True, seed=0):
        super().__init__()
        self.audio, self.targets, self.shuffle = audio, targets, shuffle
        self.batch_size = check_positive_int("batch_size", batch_size)
        self.round_to = check_positive_int("round_to", round_to)
        self.lengths = np.array([len(a) for a in audio])
        self.rng = np.random.default_rng(seed)
        self.epoch_order()

    def epoch_order(self):
        lengths = self.lengths
        if self.shuffle:
            lengths = lengths * self.rng.uniform(0.9, 1.1, size=len(lengths))
        order = np.argsort(lengths, kind="stable")
        self.batches = [order[i:i + self.batch_size]
                        for i in range(0, len(order), self.batch_size)]
        if self.shuffle:
            self.batches = [self.batches[i] for i in self.rng.permutation(len(self.batches))]

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        index = self.batches[i]
        width = int(-(-self.lengths[index].max() // self.round_to) * self.round_to)
        if i == 0:
            # Keras's TensorFlow adapter fixes a PyDataset's shapes from its
            # first two batches; half a rounding more here (no other batch
            # has such a width) keeps the length unknown (None) for all.
            width += max(self.round_to // 2, 1)
        x = pad(self.audio[index], width)
        return x if self.targets is None else (x, self.targets[index])

    def on_epoch_end(self):
        self.epoch_order()


def padded_batches(audio, targets=None, batch_size=32, round_to=4000, shuffle=True, seed=0):
    """A :class:`PaddedBatches` over ``audio`` (any sequence of waveforms) and ``targets``."""
    return PaddedBatches(_objects(list(audio)), targets, batch_size, round_to, shuffle, seed)
