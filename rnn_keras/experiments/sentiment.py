"""Sentiment of IMDB reviews (many-to-one): which recurrent choices matter?

Question: on the 25,000 IMDB test reviews, without pretrained embeddings and
on a laptop CPU, how accurate is each recurrent variant (SimpleRNN, LSTM,
GRU, bidirectional, fused vs from scratch) with the same budget; what do
sequence length, pooling and dropout change; and how does it compare with the
strongest non-neural baseline, TF-IDF + logistic regression?

Pipeline: :mod:`rnn_keras.data.imdb` (validation carved from train, test
kept apart), a ``TextVectorization`` adapted on the training split only,
token ids right-padded per length bucket, ``models.many_to_one``.

With ``--pretrain lm`` the question becomes Dai and Le's (2015): does a
word language model pretrained on the training reviews' own text, then
fine-tuned as the classifier (ULMFiT's recipe: discriminative learning
rates, gradual unfreezing, concat pooling), beat the same classifier from
random weights, and the linear NB-LR baseline? The language model reads
only the training split's text (a test poisons the validation and test
reviews and shows nothing changes).

Used by notebook 04 and ``python -m rnn_keras run sentiment``.
"""

import dataclasses
import time

import keras
import numpy as np

from rnn_keras import config
from rnn_keras import decoding
from rnn_keras import models
from rnn_keras import training
from rnn_keras.data import imdb
from rnn_keras.data import text_corpus
from rnn_keras.layers import LastTokens
from rnn_keras.experiments import rounded
from rnn_keras.validation import OptionError
from rnn_keras.validation import check_choice
from rnn_keras.validation import check_option

SETTINGS = {
    # Notebook 04's whole table (9 variants + TF-IDF) in about two minutes on 2 cores.
    # (2 epochs of 120 tokens fit 90 s but flattened the table to noise: kept.)
    "quick": {"n_train": 2000, "n_test": 2000, "vocab_size": 10000, "max_length": 150,
              "epochs": 3, "units": 32, "embedding_dim": 64, "learning_rate": 3e-3,
              "batch_size": 32,
              # --pretrain lm (notebook 04's last section): a tiny LM, one epoch
              # (dropout 0.3 at 4e-3 left its held-out loss near the unigram's: 5.18 vs 5.29)
              "pretrain": {"units": 64, "lm_output": 1000, "lm_timesteps": 50, "lm_epochs": 1,
                           "lm_batch_size": 32, "lm_learning_rate": 1e-2, "dropout": 0.0,
                           "stages": (1, 1, 1), "finetune_learning_rate": 3e-3,
                           "decay": 2.6}},
    # One epoch: in every setting measured (benchmarks/sentiment_sweep.py) test
    # accuracy peaked after the first epoch and fell as the model overfit.
    "full": {"n_train": None, "n_test": None, "vocab_size": 20000, "max_length": 400,
             "epochs": 1, "units": 64, "embedding_dim": 128, "learning_rate": 1e-3,
             "batch_size": 64,
             "pretrain": {"units": 128, "lm_output": 5000, "lm_timesteps": 70, "lm_epochs": 1,
                          "lm_batch_size": 64, "lm_learning_rate": 5e-3, "dropout": 0.1,
                          "stages": (1, 1, 2), "finetune_learning_rate": 2e-3,
                          "decay": 2.6}},
    # Tests only: every step of the run in seconds; the numbers mean nothing.
    "smoke": {"n_train": None, "n_test": None, "vocab_size": 200, "max_length": 80,
              "epochs": 3, "units": 16, "embedding_dim": 16, "learning_rate": 1e-2,
              "batch_size": 16,
              "pretrain": {"units": 16, "lm_output": 100, "lm_timesteps": 20, "lm_epochs": 1,
                           "lm_batch_size": 16, "lm_learning_rate": 1e-2, "dropout": 0.0,
                           "stages": (1, 1, 1), "finetune_learning_rate": 1e-2,
                           "decay": 2.6}},
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
    _compile_classifier(model, optimizer or keras.optimizers.Adam(settings["learning_rate"]))
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


def nblr_baseline(data, alpha=1.0, C=1.0):
    """NB-LR: logistic regression on naive-Bayes-weighted binary word and pair features.

    Wang and Manning (2012)'s NBSVM with a logistic loss: binary uni- and
    bigram indicators ``x``, the log-count ratio
    ``r = log((p / |p|_1) / (q / |q|_1))`` with ``p = alpha + sum of x over
    positive reviews`` and ``q`` the same over negative ones, then logistic
    regression on ``x * r``. Same standardization and training reviews as
    the networks. Returns test accuracy and fit seconds.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    start = time.perf_counter()
    counts = CountVectorizer(ngram_range=(1, 2), min_df=2, binary=True, token_pattern=r"[^ ]+")
    x = counts.fit_transform(imdb.standardize_many(data.train.texts))
    y = np.asarray(data.train.labels)
    p = alpha + np.asarray(x[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(x[y == 0].sum(axis=0)).ravel()
    r = np.log((p / p.sum()) / (q / q.sum()))
    classifier = LogisticRegression(C=C, max_iter=1000).fit(x.multiply(r).tocsr(), y)
    seconds = time.perf_counter() - start
    test = counts.transform(imdb.standardize_many(data.test.texts)).multiply(r).tocsr()
    return {"test_accuracy": float(classifier.score(test, data.test.labels)),
            "seconds": seconds}


# ---------------------------------------------------------------------------
# Language-model pretraining (--pretrain lm)
# ---------------------------------------------------------------------------


def lm_stream(data, heldout_fraction=0.05):
    """Word ids of the **training** reviews, one after another, for the language model.

    Only ``data.train`` is read (never the validation or test reviews); each
    review is kept whole. The last ``heldout_fraction`` of the stream
    (whole reviews of the training split) measures the language model.
    Returns ``(train_ids, heldout_ids)``.
    """
    ids = imdb.token_ids(data.train, data.vectorizer, max_length=10**6)
    cut = max(1, int(len(ids) * (1 - heldout_fraction)))
    return np.concatenate(ids[:cut]), np.concatenate(ids[cut:] or ids[-1:])


def lm_targets(x, y, lm_output):
    """Targets of ids the language model does not predict (``>= lm_output``) become OOV (1)."""
    return x, np.where(y < lm_output, y, 1).astype("int32")


def build_language_model(data):
    """The word language model, at the classifier's vocabulary and sizes, compiled."""
    s, p = data.settings, data.settings["pretrain"]
    model = models.language_model(s["vocab_size"], embedding_dim=s["embedding_dim"],
                                  cell="lstm", units=p["units"], dropout=p["dropout"],
                                  output_dropout=p["dropout"], output_size=p["lm_output"],
                                  name="review_language_model")
    model.compile(optimizer=keras.optimizers.Adam(p["lm_learning_rate"], clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def pretrain_language_model(data, *, seed=0, verbose=0, run_dir=None):
    """Trains the word LM on windows of the training reviews' text.

    Returns ``(model, training, scores)``; ``scores`` has the held-out loss
    (nats/word) next to the unigram baseline of the same stream.
    """
    p = data.settings["pretrain"]
    keras.utils.set_random_seed(seed)
    train_ids, heldout_ids = lm_stream(data)
    x, y = lm_targets(*text_corpus.windows(train_ids, p["lm_timesteps"]), p["lm_output"])
    hx, hy = lm_targets(*text_corpus.windows(heldout_ids, p["lm_timesteps"]), p["lm_output"])
    model = build_language_model(data)
    result = training.fit(model, x, y, validation_data=(hx, hy),
                          batch_size=p["lm_batch_size"], epochs=p["lm_epochs"], verbose=verbose,
                          run_dir=run_dir, name="language-model", restore_best_weights=False)
    counts = np.bincount(lm_targets(train_ids, train_ids, p["lm_output"])[1],
                         minlength=p["lm_output"]) + 1.0
    unigram = -np.log(counts / counts.sum())[hy.ravel()].mean()
    scores = {"lm_heldout_loss": float(result.history["val_loss"][-1]),
              "lm_unigram_loss": float(unigram), "lm_tokens": int(len(train_ids)),
              "lm_seconds": result.seconds}
    return model, result, scores


def build_lm_classifier(data, language_model=None):
    """The many-to-one LSTM with concat pooling; with ``language_model``, its weights start there.

    The embedding and ``rnn_1`` come from the language model
    (:func:`rnn_keras.models.transfer_weights`); the output layer is new.
    Not compiled (each fine-tuning stage compiles it).
    """
    s, p = data.settings, data.settings["pretrain"]
    model = models.many_to_one(1, vocab_size=s["vocab_size"], embedding_dim=s["embedding_dim"],
                               cell="lstm", units=p["units"], pooling="concat",
                               dropout=p["dropout"], name="review_classifier")
    if language_model is not None:
        models.transfer_weights(language_model, model)
    return model


def _compile_classifier(model, optimizer):
    """Binary logits: cross-entropy, accuracy at threshold 0 (every classifier here)."""
    model.compile(optimizer=optimizer, loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])


def fine_tune(data, model, *, seed=0, verbose=0, run_dir=None, discriminative=True,
              gradual=True, datasets=None):
    """ULMFiT's fine-tuning, one stage per entry of ``settings["pretrain"]["stages"]``.

    Gradual unfreezing: stage 1 trains the output layer only, stage 2 also
    ``rnn_1``, stage 3 everything. Discriminative learning rates
    (:class:`rnn_keras.training.DiscriminativeAdam`): ``rnn_1`` at
    ``rate / decay``, the embedding at ``rate / decay**2``. Each stage keeps
    its best epoch by validation accuracy (validation reviews are carved
    from the training split). Returns the stages' :class:`Training` results.
    """
    p = data.settings["pretrain"]
    keras.utils.set_random_seed(seed)
    datasets = datasets or make_datasets(data, data.settings["max_length"], seed=seed)
    frozen_by_stage = ([["embedding", "rnn_1"], ["embedding"], []] if gradual
                       else [[], [], []])
    multipliers = ({"rnn_1": 1 / p["decay"], "embedding": 1 / p["decay"] ** 2}
                   if discriminative else {})
    results = []
    for stage, epochs in enumerate(p["stages"]):
        for layer in model.layers:
            layer.trainable = layer.name not in frozen_by_stage[min(stage, 2)]
        _compile_classifier(model, training.DiscriminativeAdam(p["finetune_learning_rate"],
                                                               multipliers=multipliers))
        results.append(training.fit(model, datasets["train"],
                                    validation_data=datasets["validation"], epochs=epochs,
                                    verbose=verbose, shuffle=False, run_dir=run_dir,
                                    name=f"fine-tune-{stage + 1}", monitor="val_accuracy"))
    return results


def train_random_init(data, *, seed=0, verbose=0, run_dir=None, datasets=None):
    """The same classifier from random weights, as many epochs as all stages, best kept."""
    p = data.settings["pretrain"]
    keras.utils.set_random_seed(seed)
    datasets = datasets or make_datasets(data, data.settings["max_length"], seed=seed)
    model = build_lm_classifier(data)
    _compile_classifier(model, keras.optimizers.Adam(p["finetune_learning_rate"]))
    result = training.fit(model, datasets["train"], validation_data=datasets["validation"],
                          epochs=sum(p["stages"]), verbose=verbose, shuffle=False,
                          run_dir=run_dir, name="random-init", monitor="val_accuracy")
    return model, result


def sample_review(language_model, vectorizer, prompt, length=40, temperature=0.8, seed=0):
    """A review continued by the word LM (a word sample, spaces between tokens).

    The unknown-word id (1: every word the LM does not predict by name) is
    never drawn, so the sample shows words, not ``[UNK]``.
    """
    words = vectorizer.get_vocabulary()
    prompt_ids = [i for i in keras.ops.convert_to_numpy(vectorizer([prompt]))[0] if i > 0]
    ids = decoding.sample_text(language_model, prompt_ids, length, temperature=temperature,
                               seed=seed, forbid=(0, 1))[0]
    return prompt + " " + " ".join(words[i] for i in ids)


def pretrain_comparison(data, *, seed=0, verbose=0, run_dir=None):
    """LM-pretrained vs random-init classifier vs NB-LR and TF-IDF+LR, on the test reviews.

    Returns a dict with the models (``language_model``, ``pretrained``,
    ``random_init``), their test accuracies, the language model's scores,
    the baselines and the seconds each part took.
    """
    datasets = make_datasets(data, data.settings["max_length"], seed=seed)
    language_model, _, lm_scores = pretrain_language_model(data, seed=seed, verbose=verbose,
                                                           run_dir=run_dir)
    pretrained = build_lm_classifier(data, language_model)
    stages = fine_tune(data, pretrained, seed=seed, verbose=verbose, run_dir=run_dir,
                       datasets=datasets)
    random_init, random_result = train_random_init(data, seed=seed, verbose=verbose,
                                                   run_dir=run_dir, datasets=datasets)
    return {
        "language_model": language_model, "pretrained": pretrained, "random_init": random_init,
        "pretrained_accuracy": evaluate(pretrained, data, datasets=datasets)["test_accuracy"],
        "random_init_accuracy": evaluate(random_init, data, datasets=datasets)["test_accuracy"],
        "nblr": nblr_baseline(data), "tfidf": tfidf_baseline(data),
        "fine_tune_seconds": sum(r.seconds for r in stages),
        "random_init_seconds": random_result.seconds,
        "stage_val_accuracy": [max(r.history["val_accuracy"]) for r in stages],
        **lm_scores,
    }


def run_pretraining(data, *, seed=0, verbose=2, out_dir=None):
    """``--pretrain lm``: the comparison's numbers, and the models saved under ``out_dir``."""
    result = pretrain_comparison(data, seed=seed, verbose=verbose, run_dir=out_dir)
    metrics = {k: v for k, v in result.items()
               if k not in ("language_model", "pretrained", "random_init", "nblr", "tfidf")}
    metrics.update({"nblr_accuracy": result["nblr"]["test_accuracy"],
                    "nblr_seconds": result["nblr"]["seconds"],
                    "tfidf_accuracy": result["tfidf"]["test_accuracy"],
                    "test_reviews": len(data.test),
                    "sample": sample_review(result["language_model"], data.vectorizer,
                                            "this movie was", seed=seed)})
    if out_dir is not None:
        training.save_model(result["language_model"], out_dir / "language_model.keras")
        training.save_model(result["pretrained"], out_dir / "model.keras")
        (out_dir / "vocabulary.txt").write_text(
            "\n".join(str(w) for w in data.vectorizer.get_vocabulary()) + "\n")
    return rounded(metrics)


def run(profile=None, data_dir=None, out_dir=None, seed=0, verbose=2, cell=None,
        bidirectional=None, implementation=None, distribute=None, pretrain=None):
    """Trains one variant (the default: bidirectional GRU, mean+max pooling).

    ``pretrain="lm"``: instead, the language-model pretraining comparison
    (:func:`pretrain_comparison`).

    With ``out_dir``, training backs up every epoch there: the same command
    run again after a crash resumes. ``distribute``: data-parallel training
    (``--distribute``; see :func:`rnn_keras.training.distribution_scope`).
    """
    variant = dict(DEFAULT_VARIANT)
    for key, value in (("cell", cell), ("bidirectional", bidirectional),
                       ("implementation", implementation)):
        if value is not None:
            variant[key] = value
    pretrain = check_option(check_choice, "pretrain", pretrain or "none", ("none", "lm"))
    if pretrain == "lm" and (cell, bidirectional, implementation, distribute) != (None,) * 4:
        raise OptionError("--pretrain lm trains its own unidirectional LSTM (the language "
                          "model's shape); leave out --cell, --bidirectional, "
                          "--implementation and --distribute.")
    data = prepare(profile=profile, data_dir=data_dir, seed=seed)
    if pretrain == "lm":
        print(f"[sentiment] {len(data.train)} train / {len(data.validation)} validation / "
              f"{len(data.test)} test reviews; language-model pretraining", flush=True)
        return run_pretraining(data, seed=seed, verbose=verbose, out_dir=out_dir)
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
        # the strongest trivial baseline beside it (whole reviews; the network reads the
        # last max_length tokens), so a record carries both
        "tfidf_accuracy": tfidf_baseline(data)["test_accuracy"],
    }
    if distribute:
        metrics["replicas"] = result["replicas"]
    if out_dir is not None:
        training.save_model(result["model"], out_dir / "model.keras")
        training.save_model(end_to_end_model(data.vectorizer, result["model"],
                                             data.settings["max_length"]),
                            out_dir / "model_from_text.keras")
        (out_dir / "vocabulary.txt").write_text(
            "\n".join(str(w) for w in data.vectorizer.get_vocabulary()) + "\n")
    return rounded(metrics)


def end_to_end_model(vectorizer, model, max_length):
    """One model from raw review text to P(positive), for saving and serving.

    Wraps the adapted ``TextVectorization`` (with :func:`imdb.standardize`,
    registered for serialization), :class:`rnn_keras.layers.LastTokens` (the
    last ``max_length`` tokens of each review, as training read them) and the
    trained id model, so it scores a text exactly as :func:`predict_texts`
    does. TextVectorization runs on TensorFlow, so this model is for the TF
    backend. Call it on a ``(batch, 1)`` string tensor:
    ``model(tf.constant([["Loved it!"]]))``.
    """
    text = keras.Input(shape=(1,), dtype="string", name="text")
    ids = LastTokens(max_length, name="last_tokens")(vectorizer(text))
    logits = model(ids)
    probability = keras.layers.Activation("sigmoid", dtype="float32", name="probability")(logits)
    return keras.Model(text, probability, name="sentiment_from_text")


def predict_texts(model, vectorizer, texts, max_length=400):
    """Probability that each text is positive, with the training pipeline's ids."""
    ids = imdb.token_ids(imdb.Reviews.from_texts(texts), vectorizer, max_length)
    padded = keras.utils.pad_sequences(ids, padding="post", truncating="pre")
    logits = model.predict(padded, verbose=0)[:, 0]
    return 1.0 / (1.0 + np.exp(-logits))
