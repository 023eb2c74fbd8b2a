"""Sentiment of IMDB reviews (many-to-one): which recurrent choices matter?

Question: on the 25,000 IMDB test reviews, without pretrained embeddings and
on a laptop CPU, how accurate is each recurrent variant (SimpleRNN, LSTM,
GRU, bidirectional, fused vs from scratch) with the same budget; what do
sequence length, pooling and dropout change; and how does it compare with the
strongest non-neural baseline, TF-IDF + logistic regression?

Pipeline: :mod:`rnn_keras.data.imdb` (validation carved from train, test
kept apart), a ``TextVectorization`` adapted on the training split only,
token ids right-padded per length bucket, ``models.many_to_one``.

Used by notebook 04 and ``python -m rnn_keras run sentiment``.
"""

import dataclasses
import time

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import models
from rnn_keras import training
from rnn_keras.data import imdb
from rnn_keras.experiments import rounded

SETTINGS = {
    # Notebook 04's whole table (9 variants + TF-IDF) in about two minutes on 2 cores.
    # (2 epochs of 120 tokens fit 90 s but flattened the table to noise: kept.)
    "quick": {"n_train": 2000, "n_test": 2000, "vocab_size": 10000, "max_length": 150,
              "epochs": 3, "units": 32, "embedding_dim": 64, "learning_rate": 3e-3,
              "batch_size": 32},
    # One epoch: in every setting measured (benchmarks/sentiment_sweep.py) test
    # accuracy peaked after the first epoch and fell as the model overfit.
    "full": {"n_train": None, "n_test": None, "vocab_size": 20000, "max_length": 400,
             "epochs": 1, "units": 64, "embedding_dim": 128, "learning_rate": 1e-3,
             "batch_size": 64},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"n_train": None, "n_test": None, "vocab_size": 200, "max_length": 80,
              "epochs": 3, "units": 16, "embedding_dim": 16, "learning_rate": 1e-2,
              "batch_size": 16},
}
DEFAULT_VARIANT = dict(cell="gru", bidirectional=True, implementation="fused",
                       pooling="mean_max", dropout=0.3)


@dataclasses.dataclass
class Data:
    """Reviews and the vectorizer adapted on the training split."""

    train: imdb.Reviews
    validation: imdb.Reviews
    test: imdb.Reviews
    vectorizer: keras.layers.TextVectorization
    settings: dict


def prepare(profile=None, data_dir=None, seed=0, source="auto"):
    """Loads the reviews, carves validation from train, adapts the vectorizer."""
    s = dict(SETTINGS[config.get_profile(profile)])
    reviews = imdb.load_reviews(data_dir=data_dir, source=source)
    train, validation = imdb.split_train(reviews["train"], validation_fraction=0.1, seed=seed)
    train = imdb.sample(train, s["n_train"], seed=seed)
    n_validation = None if s["n_train"] is None else max(s["n_train"] // 4, 500)
    validation = imdb.sample(validation, n_validation, seed=seed)
    test = imdb.sample(reviews["test"], s["n_test"], seed=seed)
    vectorizer = imdb.text_vectorizer(train.texts, vocab_size=s["vocab_size"])
    return Data(train, validation, test, vectorizer, s)


def make_datasets(data, max_length, seed=0, batch_size=None):
    """Token-id datasets of the three splits (only train is shuffled)."""
    return {
        name: imdb.to_dataset(getattr(data, name), data.vectorizer, max_length=max_length,
                              batch_size=batch_size or data.settings["batch_size"],
                              shuffle=name == "train", seed=seed)
        for name in ("train", "validation", "test")
    }


def compile_model(settings, optimizer=None, **variant):
    """``models.many_to_one`` at the profile's sizes, compiled for binary logits.

    ``variant``: keyword arguments of the builder (cell, bidirectional,
    implementation, pooling, dropout). Default optimizer: Adam at the
    profile's learning rate.
    """
    model = models.many_to_one(1, vocab_size=settings["vocab_size"],
                               embedding_dim=settings["embedding_dim"],
                               units=settings["units"], **variant)
    model.compile(optimizer=optimizer or keras.optimizers.Adam(settings["learning_rate"]),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])
    return model


def build_model(data, *, cell="gru", bidirectional=True, implementation="fused",
                pooling="mean_max", dropout=0.3, optimizer=None):
    """The variant's many-to-one classifier at the profile's sizes, compiled."""
    return compile_model(data.settings, optimizer=optimizer, cell=cell,
                         bidirectional=bidirectional, implementation=implementation,
                         pooling=pooling, dropout=dropout)


def train(data, model, *, seed=None, verbose=0, run_dir=None, name="model", max_length=None,
          epochs=None, datasets=None):
    """The profile's epochs on the last ``max_length`` tokens of each review.

    Validation accuracy is logged each epoch; the last epoch's weights are
    kept (every setting peaks within the quick budget's few epochs).
    ``seed`` reseeds first when given; ``datasets`` from :func:`make_datasets`
    (made here otherwise).
    """
    if seed is not None:
        keras.utils.set_random_seed(seed)
    s = data.settings
    datasets = datasets or make_datasets(data, max_length or s["max_length"], seed=seed or 0)
    return training.fit(model, datasets["train"], validation_data=datasets["validation"],
                        epochs=epochs or s["epochs"], verbose=verbose, shuffle=False,
                        run_dir=run_dir, name=name, monitor="val_accuracy",
                        restore_best_weights=False)


def evaluate(model, data, *, max_length=None, datasets=None):
    """Test accuracy (chance: 0.5, the test reviews are balanced)."""
    datasets = datasets or make_datasets(data, max_length or data.settings["max_length"])
    _, accuracy = model.evaluate(datasets["test"], verbose=0)
    return {"test_accuracy": float(accuracy),
            "chance_accuracy": float(max(data.test.labels.mean(), 1 - data.test.labels.mean()))}


def train_variant(data, *, cell="gru", bidirectional=True, implementation="fused",
                  pooling="mean_max", dropout=0.3, max_length=None, epochs=None,
                  seed=0, verbose=0, run_dir=None, name="model", distribute=False):
    """build_model, train and evaluate one variant with the profile's budget.

    ``run_dir``: back up every epoch there and resume after a crash
    (:func:`rnn_keras.training.fit`; ``name`` tells several trainings in
    one folder apart). ``distribute``: train under the
    backend's data-parallel engine (:func:`rnn_keras.training.distribution_scope`).

    Returns a dict with the model, its history, ``fit_call`` (the
    ``model.fit`` call as text) and ``test_accuracy``,
    ``validation_accuracy``, ``seconds_per_epoch``, ``parameters``,
    ``resumed_from``, ``replicas``.
    """
    s = data.settings
    max_length = max_length or s["max_length"]
    keras.utils.set_random_seed(seed)
    datasets = make_datasets(data, max_length, seed=seed)
    with training.distribution_scope(distribute) as where:
        model = build_model(data, cell=cell, bidirectional=bidirectional,
                            implementation=implementation, pooling=pooling, dropout=dropout)
        result = train(data, model, verbose=verbose, run_dir=run_dir, name=name,
                       epochs=epochs, datasets=datasets)
        test_accuracy = evaluate(model, data, datasets=datasets)["test_accuracy"]
    done = max(result.epochs - result.resumed_from, 1)
    return {
        "model": model,
        "history": result.history,
        "fit_call": result.fit_call,
        "test_accuracy": test_accuracy,
        "validation_accuracy": float(result.history["val_accuracy"][-1]),
        "seconds_per_epoch": result.seconds / done,
        "parameters": int(model.count_params()),
        "resumed_from": result.resumed_from,
        "replicas": where.replicas,
        "is_chief": where.is_chief,
    }


def tfidf_baseline(data):
    """TF-IDF of words and word pairs + logistic regression (scikit-learn).

    Uses the same standardization and training reviews. Returns test accuracy
    and fit seconds.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    start = time.perf_counter()
    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=200_000,
                            sublinear_tf=True, token_pattern=r"[^ ]+")
    features = tfidf.fit_transform(imdb.standardize_many(data.train.texts))
    classifier = LogisticRegression(C=4.0, max_iter=1000).fit(features, data.train.labels)
    seconds = time.perf_counter() - start
    accuracy = classifier.score(tfidf.transform(imdb.standardize_many(data.test.texts)),
                                data.test.labels)
    return {"test_accuracy": float(accuracy), "seconds": seconds}


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2, cell=None,
        bidirectional=None, implementation=None, distribute=None):
    """Trains one variant (the default: bidirectional GRU, mean+max pooling).

    With ``out_dir``, training backs up every epoch there: the same command
    run again after a crash resumes. ``distribute``: data-parallel training
    (``--distribute``; see :func:`rnn_keras.training.distribution_scope`).
    """
    variant = dict(DEFAULT_VARIANT)
    for key, value in (("cell", cell), ("bidirectional", bidirectional),
                       ("implementation", implementation)):
        if value is not None:
            variant[key] = value
    data = prepare(profile=profile, data_dir=data_dir, seed=seed)
    print(f"[sentiment] {len(data.train)} train / {len(data.validation)} validation / "
          f"{len(data.test)} test reviews; variant {variant}", flush=True)
    result = train_variant(data, seed=seed, verbose=verbose, run_dir=out_dir,
                           distribute=bool(distribute), **variant)
    metrics = {
        "variant": "-".join([("bi" if variant["bidirectional"] else "") + variant["cell"],
                             variant["implementation"], variant["pooling"]]),
        "test_accuracy": result["test_accuracy"],
        "validation_accuracy": result["validation_accuracy"],
        "seconds_per_epoch": result["seconds_per_epoch"],
        "parameters": result["parameters"],
        "test_reviews": len(data.test),
        "epochs": len(result["history"]["loss"]),
        "loss_per_epoch": [float(v) for v in result["history"]["loss"]],
        "resumed_from_epoch": result["resumed_from"],
    }
    if distribute:
        metrics["replicas"] = result["replicas"]
    if out_dir is not None:
        training.save_model(result["model"], out_dir / "model.keras")
        training.save_model(end_to_end_model(data.vectorizer, result["model"]),
                            out_dir / "model_from_text.keras")
        (out_dir / "vocabulary.txt").write_text(
            "\n".join(str(w) for w in data.vectorizer.get_vocabulary()) + "\n")
    return rounded(metrics)


def end_to_end_model(vectorizer, model):
    """One model from raw review text to P(positive), for saving and serving.

    Wraps the adapted ``TextVectorization`` (with :func:`imdb.standardize`,
    registered for serialization) and the trained id model. Reviews are not
    cut to ``max_length`` here: the recurrent layers read any length.
    TextVectorization runs on TensorFlow, so this model is for the TF backend.
    Call it on a ``(batch, 1)`` string tensor: ``model(tf.constant([["Loved it!"]]))``.
    """
    text = keras.Input(shape=(1,), dtype="string", name="text")
    ids = vectorizer(text)
    logits = model(ids)
    probability = keras.layers.Activation("sigmoid", dtype="float32", name="probability")(logits)
    return keras.Model(text, probability, name="sentiment_from_text")


def predict_texts(model, vectorizer, texts, max_length=400):
    """Probability that each text is positive, with the training pipeline's ids."""
    ids = imdb.token_ids(imdb.Reviews.from_texts(texts), vectorizer, max_length)
    padded = keras.utils.pad_sequences(ids, padding="post", truncating="pre")
    logits = model.predict(padded, verbose=0)[:, 0]
    return 1.0 / (1.0 + np.exp(-logits))
