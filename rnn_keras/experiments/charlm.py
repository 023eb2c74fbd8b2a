"""Character language model on tiny Shakespeare: truncated BPTT, stateless vs stateful.

Question: how low does an LSTM's validation loss (nats per character) go
against counting baselines (unigram, bigram, interpolated Kneser-Ney
n-grams) and nanoGPT's Transformer (1.4697 on the same split), and what do
truncated backpropagation through time's two knobs change: carrying the
state across windows (Keras ``stateful=True``) and the truncation length?

Pipeline: :mod:`rnn_keras.data.text_corpus` (nanoGPT's 90/10 split, a
character vocabulary of the training text), :func:`rnn_keras.models.language_model`,
:func:`rnn_keras.decoding.sample_text`, :class:`rnn_keras.ngram.NGramModel`.

No model is selected on the validation text: every model trains a fixed
number of epochs and its last epoch is reported (the validation text is
nanoGPT's reported split, so it is not also used to pick a model).

Two evaluations of one trained model on the validation text:

- **windows**: independent windows (of the truncation length, or nanoGPT's
  256 for the headline), each from a zero state (how a stateless model is
  trained, and how nanoGPT measures its loss);
- **carried**: the validation text read in order, in a few parallel
  streams, with the state carried from window to window (how a stateful
  model is trained, and how a model reads a long text).

Used by notebook 10 and ``python -m rnn_keras run charlm``.
"""

import dataclasses
import time

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import decoding
from rnn_keras import models
from rnn_keras import training
from rnn_keras.data import text_corpus as tc
from rnn_keras.experiments import rounded
from rnn_keras.ngram import NGramModel
from rnn_keras.validation import OptionError
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_option
from rnn_keras.validation import check_positive_int

NANOGPT_VALIDATION_LOSS = 1.4697  # nanoGPT's shakespeare_char, 6-layer Transformer, same split
PROMPT = "ROMEO:\n"

PARTS = ("all", "truncation", "headline")

SETTINGS = {
    # Notebook 10 in about a minute on 2 cores: a small LSTM on a third of the text.
    "quick": {"train_chars": 300_000, "validation_chars": 30_000, "embedding_dim": 32,
              "units": 64, "num_layers": 1, "dropout": 0.0, "epochs": 2, "batch_size": 32,
              "learning_rate": 4e-3, "timesteps": (10, 50), "ngram_orders": (1, 2, 3, 5),
              "eval_streams": 8, "headline": None},
    # --part truncation (TensorFlow: stateful) at a middle size, about 12 minutes;
    # --part headline: one large stateless LSTM, about an hour of training on 2 CPU
    # cores with KERAS_BACKEND=jax (2.2x TensorFlow's speed here, measured).
    "full": {"train_chars": None, "validation_chars": None, "embedding_dim": 64,
             "units": 128, "num_layers": 1, "dropout": 0.0, "epochs": 3, "batch_size": 64,
             "learning_rate": 3e-3, "timesteps": (10, 25, 100), "ngram_orders": (1, 2, 3, 5, 7),
             "eval_streams": 16,
             # batch 32 x 100 characters: 313 steps an epoch (batch 64 x 128 left the
             # loss at 2.41 after its first 123 steps, measured; char-rnn takes ~400)
             "headline": {"units": 512, "num_layers": 2, "dropout": 0.2, "epochs": 10,
                          "timesteps": 100, "batch_size": 32, "stateful": False,
                          "learning_rate": 3e-3, "eval_timesteps": 256}},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"train_chars": 20_000, "validation_chars": 4_000, "embedding_dim": 8,
              "units": 16, "num_layers": 1, "dropout": 0.0, "epochs": 1, "batch_size": 16,
              "learning_rate": 1e-2, "timesteps": (8, 16), "ngram_orders": (1, 3),
              "eval_streams": 4,
              "headline": {"units": 16, "num_layers": 1, "dropout": 0.0, "epochs": 1,
                           "timesteps": 16, "batch_size": 16, "stateful": False,
                           "learning_rate": 1e-2, "eval_timesteps": 32}},
}


@dataclasses.dataclass
class Data:
    """The two texts, the vocabulary of the training text, and their ids."""

    train_text: str
    validation_text: str
    vocab: tc.CharVocabulary
    train: np.ndarray
    validation: np.ndarray
    settings: dict
    unseen_validation_chars: int = 0  # characters of validation absent from training, dropped

    @property
    def test(self):  # the protocol's name: the validation text is the reported split
        return self.validation


def prepare(profile=None, data_dir=None, seed=0, text=None):
    """Loads tiny Shakespeare (or ``text``), splits 90/10, cuts to the profile's sizes.

    The quick and smoke profiles keep the first ``train_chars`` of the
    training text and the first ``validation_chars`` of the validation text.
    """
    s = dict(SETTINGS[config.get_profile(profile)])
    text = tc.load_shakespeare(data_dir=data_dir) if text is None else text
    train_text, validation_text = tc.split(text, 0.1)
    train_text = train_text[:s["train_chars"]]
    validation_text = validation_text[:s["validation_chars"]]
    # The vocabulary is the training text's: nothing about the validation text,
    # not even its alphabet, shapes the model. A character the training text never
    # shows cannot be predicted; it is left out of the validation text and counted
    # (none in tiny Shakespeare at the quick and full profiles).
    vocab = tc.CharVocabulary.from_text(train_text)
    known = set(vocab.chars)
    unseen = sum(1 for c in validation_text if c not in known)
    if unseen:
        validation_text = "".join(c for c in validation_text if c in known)
    return Data(train_text, validation_text, vocab, vocab.encode(train_text),
                vocab.encode(validation_text), s, unseen)


def ngram_baselines(data, orders=None):
    """Validation loss (nats/char) of n-gram models fitted on the training text.

    Order 1 is the add-one unigram, higher orders interpolated Kneser-Ney.
    Returns ``{order: loss}``.
    """
    out = {}
    for order in orders or data.settings["ngram_orders"]:
        model = NGramModel(order, len(data.vocab)).fit(data.train)
        out[order] = model.cross_entropy(data.validation, context=data.train[-order:])
    return out


def _examples(ids, timesteps, stateful, batch_size):
    if stateful:
        return tc.contiguous_batches(ids, batch_size, timesteps)
    return tc.windows(ids, timesteps)


def steps_per_epoch(data, timesteps, stateful, batch_size=None):
    """How many updates one epoch of :func:`train` makes (a last partial batch counts).

    Stateless models train on :func:`text_corpus.windows`, stateful ones on
    :func:`text_corpus.contiguous_batches` (a whole number of batches), so
    the two differ slightly at the same window length.
    """
    batch_size = batch_size or data.settings["batch_size"]
    return -(-len(_examples(data.train, timesteps, stateful, batch_size)[0]) // batch_size)


def build_model(data, *, stateful=False, timesteps=50, units=None, num_layers=None,
                dropout=None, learning_rate=None, epochs=None, batch_size=None, cell="lstm",
                implementation="fused"):
    """The profile's language model, compiled (Adam, cosine decay over the planned steps)."""
    s = data.settings
    batch_size = batch_size or s["batch_size"]
    model = models.language_model(
        len(data.vocab), embedding_dim=s["embedding_dim"], cell=cell,
        units=units or s["units"], num_layers=num_layers or s["num_layers"],
        dropout=s["dropout"] if dropout is None else dropout,
        output_dropout=s["dropout"] if dropout is None else dropout,
        implementation=implementation, stateful=stateful,
        batch_size=batch_size if stateful else None)
    steps = len(_examples(data.train, timesteps, stateful, batch_size)[0])
    steps = max(steps // batch_size, 1) * (epochs or s["epochs"])
    schedule = keras.optimizers.schedules.CosineDecay(
        learning_rate or s["learning_rate"], decay_steps=steps, alpha=0.1)
    model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


class TrainingSamples(keras.callbacks.Callback):
    """Samples ``length`` characters (seeded) as training goes on, kept in ``self.samples``.

    By default after every epoch; with ``at_steps``, after those training
    steps (batches, counted across epochs from 1), so a short run shows its
    samples improving. ``self.samples`` holds ``(step, text)`` pairs, where
    ``step`` counts batches (``at_steps``) or epochs (the default);
    ``self.losses`` the training loss after each step (Keras's running mean
    over the epoch so far), a curve finer than one point per epoch.
    """

    def __init__(self, vocab, prompt=PROMPT, length=200, temperature=0.8, seed=0,
                 at_steps=None):
        super().__init__()
        self.vocab, self.prompt, self.length = vocab, prompt, length
        self.temperature, self.seed = temperature, seed
        self.at_steps = None if at_steps is None else {
            check_positive_int("at_steps", int(k)) for k in at_steps}
        self.samples, self.losses, self._step = [], [], 0

    def _sample(self, when):
        ids = decoding.sample_text(self.model, self.vocab.encode(self.prompt), self.length,
                                   temperature=self.temperature, seed=self.seed)
        self.samples.append((when, self.vocab.decode(ids[0])))

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if logs and "loss" in logs:
            self.losses.append(float(logs["loss"]))
        if self.at_steps is not None and self._step in self.at_steps:
            self._sample(self._step)

    def on_epoch_end(self, epoch, logs=None):
        if self.at_steps is None:
            self._sample(epoch + 1)


def train(data, model, *, stateful=False, timesteps=50, epochs=None, batch_size=None,
          seed=None, verbose=0, run_dir=None, name="model", samples=None):
    """Fixed epochs (the last is kept: nothing is picked on the validation text).

    Stateless: shuffled independent windows; validation on windows.
    Stateful: :func:`contiguous_batches` in order, states reset at each epoch
    and before validation (:class:`ResetStates`); validation carried across
    the validation stream. ``samples``: a :class:`TrainingSamples` to add.
    """
    if seed is not None:
        keras.utils.set_random_seed(seed)
    s = data.settings
    batch_size = batch_size or s["batch_size"]
    x, y = _examples(data.train, timesteps, stateful, batch_size)
    validation = _examples(data.validation, timesteps, stateful, batch_size)
    callbacks = ([models.ResetStates()] if stateful else []) + ([samples] if samples else [])
    return training.fit(model, x, y, validation_data=validation, batch_size=batch_size,
                        epochs=epochs or s["epochs"], shuffle=not stateful, verbose=verbose,
                        run_dir=run_dir, name=name, restore_best_weights=False,
                        callbacks=callbacks)


def loss_by_position(model, ids, timesteps, *, carry_state, streams=8):
    """Mean cross-entropy (nats) at each position of a window, over the text ``ids``.

    ``carry_state=False``: independent windows from a zero state;
    ``True``: ``streams`` parallel streams read in order with the states
    carried from window to window (:func:`rnn_keras.models.step_model`,
    so this works for any model on any backend). Returns ``(timesteps,)``; its
    mean is the loss in nats per character.
    """
    stepper = models.step_model(model)
    if carry_state:  # streams side by side, each window starting from the last one's states
        x, y = tc.contiguous_batches(ids, streams, timesteps)
        batch = streams
    else:
        x, y = tc.windows(ids, timesteps)
        batch = 256
    total, states = np.zeros(timesteps), None
    for start in range(0, len(x), batch):  # one batch at a time: no (windows, T, vocab) array
        logits, states = models.run_with_states(stepper, x[start:start + batch],
                                                states if carry_state else None)
        logits = logits.astype("float64")
        logits -= logits.max(axis=-1, keepdims=True)
        log_z = np.log(np.exp(logits).sum(axis=-1))
        picked = np.take_along_axis(logits, y[start:start + batch, :, None], axis=-1)[..., 0]
        total += (log_z - picked).sum(axis=0)
    return total / len(x)


def evaluate(model, data, *, timesteps=50, windows_timesteps=None):
    """Validation nats/char of a model read both ways, with the references beside them.

    ``windows_timesteps``: the length of the independent windows (default
    ``timesteps``; the headline uses nanoGPT's 256).
    """
    s = data.settings
    windows = loss_by_position(model, data.validation, windows_timesteps or timesteps,
                               carry_state=False)
    carried = loss_by_position(model, data.validation, timesteps, carry_state=True,
                               streams=s["eval_streams"])
    return {"windows_loss": float(windows.mean()), "carried_loss": float(carried.mean()),
            "nanogpt_loss": NANOGPT_VALIDATION_LOSS}


def bits(nats):
    """Nats per character to bits per character."""
    return nats / np.log(2)


def compare_truncation(data, *, seed=0, verbose=0, run_dir=None, timesteps=None, samples=None):
    """Stateless and stateful models at each truncation length, evaluated both ways.

    ``samples``: ``{(timesteps, stateful): TrainingSamples}``, callbacks that
    sample from those trainings as they go (sampling costs time, so only
    the rows named).

    Returns rows ``{"timesteps", "stateful", "windows_loss", "carried_loss",
    "seconds", "history", "model"}``.
    """
    trained = [(t, stateful) for t in timesteps or data.settings["timesteps"]
               for stateful in (False, True)]
    samples = dict(samples or {})
    unknown = sorted(set(samples) - set(trained))
    if unknown:
        raise ValueError(f"`samples` names rows this comparison does not train: {unknown}; "
                         f"use (timesteps, stateful) pairs of {trained}.")
    rows = []
    for t, stateful in trained:
        name = f"{'stateful' if stateful else 'stateless'}-t{t}"
        model = build_model(data, stateful=stateful, timesteps=t)
        result = train(data, model, stateful=stateful, timesteps=t, seed=seed,
                       verbose=verbose, run_dir=run_dir, name=name,
                       samples=samples.pop((t, stateful), None))
        rows.append({"timesteps": t, "stateful": stateful, "seconds": result.seconds,
                     "history": result.history, "model": model,
                     **evaluate(model, data, timesteps=t)})
    return rows


def train_headline(data, *, seed=0, verbose=0, run_dir=None):
    """The profile's large model (fixed epochs) with a sample after each epoch."""
    h = data.settings["headline"]
    model = build_model(data, stateful=h["stateful"], timesteps=h["timesteps"],
                        units=h["units"], num_layers=h["num_layers"], dropout=h["dropout"],
                        learning_rate=h["learning_rate"], epochs=h["epochs"],
                        batch_size=h["batch_size"])
    samples = TrainingSamples(data.vocab, seed=seed)
    result = train(data, model, stateful=h["stateful"], timesteps=h["timesteps"],
                   epochs=h["epochs"], batch_size=h["batch_size"], seed=seed, verbose=verbose,
                   run_dir=run_dir,
                   name="headline", samples=samples)
    return model, result, samples.samples


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2, part="all"):
    """Baselines, the truncation comparison and (full and smoke) the headline model.

    ``part``: ``"truncation"`` (stateless vs stateful at each truncation
    length; needs the TensorFlow backend), ``"headline"`` (the large
    stateless model; fastest with ``KERAS_BACKEND=jax``) or ``"all"``.
    """
    part = check_option(check_choice, "part", part, PARTS)
    if part != "headline" and keras.backend.backend() == "jax":
        raise OptionError("the truncation comparison trains stateful models, which Keras 3 "
                          "does not carry on the JAX backend: run it with "
                          "KERAS_BACKEND=tensorflow, or pass --part headline on JAX.")
    start = time.perf_counter()
    data = prepare(profile=profile, data_dir=data_dir, seed=seed)
    print(f"[charlm] {len(data.train):,} train / {len(data.validation):,} validation "
          f"characters, {len(data.vocab)} symbols; backend {keras.backend.backend()}",
          flush=True)
    baselines = ngram_baselines(data)
    print(f"[charlm] n-gram validation nats/char: {rounded(baselines)}", flush=True)
    metrics = {"unseen_validation_chars": data.unseen_validation_chars,
               "ngram_loss": {str(k): v for k, v in baselines.items()},
               "best_ngram_loss": min(baselines.values()),
               "nanogpt_loss": NANOGPT_VALIDATION_LOSS}
    model = None
    if part in ("all", "truncation"):
        rows = compare_truncation(data, seed=seed, verbose=verbose, run_dir=out_dir)
        metrics["truncation"] = [{k: r[k] for k in ("timesteps", "stateful", "windows_loss",
                                                    "carried_loss", "seconds")} for r in rows]
        metrics["truncation_minutes"] = (time.perf_counter() - start) / 60
        # The reported row is fixed before the run (the longest truncation, stateful),
        # not the row that scores best on the validation text it is reported on.
        reported = next(r for r in rows if r["timesteps"] == max(data.settings["timesteps"])
                        and r["stateful"])
        model = reported["model"]
        metrics["validation_loss"] = reported["carried_loss"]
        metrics["reported_row"] = f"stateful-t{reported['timesteps']}"
    headline = data.settings["headline"]
    if part in ("all", "headline") and headline:
        model, result, samples = train_headline(data, seed=seed, verbose=verbose,
                                                run_dir=out_dir)
        scores = evaluate(model, data, timesteps=headline["timesteps"],
                          windows_timesteps=headline["eval_timesteps"])
        metrics.update({
            "headline": {k: headline[k] for k in ("units", "num_layers", "dropout",
                                                  "timesteps", "batch_size", "stateful",
                                                  "epochs", "learning_rate")},
            "validation_loss": scores["carried_loss"],
            "reported_row": "headline",
            "windows_loss": scores["windows_loss"],
            "training_minutes": result.seconds / 60,
            "val_loss_per_epoch": [float(v) for v in result.history["val_loss"]],
            "samples": [f"epoch {e}: {text}" for e, text in samples],
        })
    if model is None:
        raise OptionError(f"the {config.get_profile(profile)} profile has no headline "
                          "model: use --part truncation or all.")
    metrics["validation_bits"] = bits(metrics["validation_loss"])
    metrics["goal_met"] = metrics["validation_loss"] <= NANOGPT_VALIDATION_LOSS
    metrics["sample"] = PROMPT + data.vocab.decode(decoding.sample_text(
        model, data.vocab.encode(PROMPT), 300, temperature=0.8, seed=seed)[0])
    if out_dir is not None:
        training.save_model(model, out_dir / "model.keras")
        data.vocab.save(out_dir / "vocabulary.json")
        print(f"[charlm] saved the model and its vocabulary in {out_dir}", flush=True)
    return rounded(metrics)
