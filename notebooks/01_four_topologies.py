# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · The four topologies
#
# **Question.** An RNN reads and writes sequences in four arrangements:
# one-to-one, one-to-many, many-to-one and many-to-many (aligned, or of another
# length through an encoder-decoder). Does each one, built with the package's
# builders, learn the task it exists for, and by how much does it beat the
# trivial baseline?
#
# | topology | task here | metric (baseline) |
# |---|---|---|
# | one-to-one | 8×8 digit image → class | accuracy (majority class) |
# | one-to-many | 3 curve parameters → 24-step curve | MSE (the mean curve) |
# | many-to-one | a digit read row by row → class | accuracy (majority class) |
# | many-to-many, aligned | tag each token: seen before? | token accuracy (majority tag at each position) |
# | many-to-many, seq2seq | digits → English number words | token accuracy (most frequent word at each position); exact match, greedy decoding |
#
# Every problem is small enough to train in seconds on a laptop CPU. The
# training loop, data and metrics live in `rnn_keras.experiments.topologies`
# (also run by `python -m rnn_keras run topologies`); here we build each model
# explicitly, train it and look at what it does.
#
# [Open in Colab](https://colab.research.google.com/github/rnn-keras/rnn-keras/blob/main/notebooks/01_four_topologies.ipynb)

# %% [markdown]
# ## Setup

# %%
# NBVAL_IGNORE_OUTPUT
# On Colab, or wherever rnn_keras is missing: install the course's package first.
import importlib.util
if importlib.util.find_spec("rnn_keras") is None:
    # %pip install -q "rnn-keras @ git+https://github.com/rnn-keras/rnn-keras"

# %%
# NBVAL_IGNORE_OUTPUT
import rnn_keras  # before keras: holds back TensorFlow's start-up log lines
import keras
import matplotlib.pyplot as plt
import numpy as np

from rnn_keras import config, models, viz
from rnn_keras.claims import claim
from rnn_keras.data import toy
from rnn_keras.experiments import topologies

SEED = 0
keras.utils.set_random_seed(SEED)
print(config.describe())
print("epochs per problem in this profile:", topologies.SETTINGS[config.get_profile()]["epochs"])

# %% [markdown]
# ## One-to-one: a plain classifier
#
# No time axis at all: one input, one output. A recurrent step run once from a
# zero state is just a dense layer, so this topology is the feed-forward
# network that the others extend. Data: the 1,797 real 8×8 handwritten digits
# that scikit-learn ships.

# %%
(x_train, y_train), _ = toy.digits(seed=SEED)
fig, axes = plt.subplots(1, 8, figsize=(8, 1.3))
for ax, image, label in zip(axes, x_train, y_train):
    ax.imshow(image.reshape(8, 8), cmap="gray_r"); ax.set_title(int(label)); ax.axis("off")
fig.suptitle("training digits (8×8 pixels) and their labels", fontsize=9)

# %%
one_to_one = models.one_to_one(64, 10, units=topologies.UNITS)
r11 = topologies.run_problem("one_to_one", model=one_to_one, seed=SEED)
print(r11.metrics)

# %% [markdown]
# ## One-to-many: a sequence from one vector
#
# Input: the amplitude, frequency and damping of a damped sine wave. Output:
# the wave, 24 steps. `one_to_many` in *repeat* mode feeds the vector at every
# step and lets the recurrent state keep track of where in the curve it is.
# (With `vocab_size=...` it becomes the conditioned language model used for
# captioning: the vector sets the initial state and tokens are generated one
# by one.)

# %%
one_to_many = models.one_to_many(3, 1, steps=topologies.CURVE_STEPS, cell="gru", units=topologies.UNITS)
r1n = topologies.run_problem("one_to_many", model=one_to_many, seed=SEED)
print(r1n.metrics)

# %%
fig, axes = plt.subplots(1, 4, figsize=(10, 2.2), sharey=True)
for ax, target, prediction, params in zip(axes, r1n.example["targets"], r1n.example["predictions"], r1n.example["inputs"]):
    ax.plot(target[:, 0], "k-", label="true")
    ax.plot(prediction[:, 0], "C1--", label="generated")
    ax.set_title(f"params {np.round(params, 1)}", fontsize=8)
axes[0].legend(fontsize=8); axes[0].set_ylabel("curve value")
for ax in axes: ax.set_xlabel("output step")
fig.suptitle("one-to-many: test curves generated from their 3 parameters", fontsize=9);

# %% [markdown]
# ## Many-to-one: classify a sequence
#
# The same digits, now read as a *sequence*: 8 time steps, each one row of 8
# pixels, top to bottom. The GRU must carry what it saw in earlier rows to
# decide at the end. Same task as one-to-one, a harder way to see it.

# %%
many_to_one = models.many_to_one(10, input_dim=8, timesteps=8, cell="gru", units=topologies.UNITS)
many_to_one.summary()

# %%
rn1 = topologies.run_problem("many_to_one", model=many_to_one, seed=SEED)
print(rn1.metrics)
fig, axes = plt.subplots(1, 8, figsize=(8, 1.3))
for ax, image, truth, guess in zip(axes, rn1.example["inputs"], rn1.example["targets"], rn1.example["predictions"]):
    ax.imshow(image, cmap="gray_r"); ax.set_title(f"{guess} ({truth})", color="k" if guess == truth else "r", fontsize=9); ax.axis("off")
fig.suptitle("predicted (true), read row by row", fontsize=9);

# %% [markdown]
# ## Many-to-many, aligned: tag every step
#
# Each token gets a tag: 1 if the same token appeared earlier in the sequence.
# The tag of a step depends on everything before it, so the model needs
# memory. Sequences have different lengths and are **right-padded** with 0;
# the embedding masks the padding, and the loss is weighted so padded steps
# count for nothing (`sample_weight`).
#
# Two baselines: the majority tag overall, and the stronger **majority tag at
# each position** (the later the step, the more tokens came before it that
# it can repeat). A tagger that
# ignores the tokens and counts positions can reach the second; only memory
# of the tokens beats it.

# %%
tokens, tags, weights = toy.seen_before(n=3, seed=SEED, **topologies.SEEN_BEFORE)
print("tokens:", tokens[0]); print("tags:  ", tags[0]); print("real:  ", weights[0].astype(int))

# %%
many_to_many = models.many_to_many(2, vocab_size=topologies.SEEN_BEFORE["vocab_size"], embedding_dim=16,
                                   cell="gru", units=topologies.UNITS)
rmm = topologies.run_problem("many_to_many", model=many_to_many, seed=SEED)
print(rmm.metrics)
for x, t, p in zip(rmm.example["inputs"][:2], rmm.example["targets"][:2], rmm.example["predictions"][:2]):
    n = int((x > 0).sum())
    print("tokens   ", x[:n]); print("true     ", t[:n]); print("predicted", p[:n]); print()
claim(rmm.metrics["token_accuracy"] > rmm.metrics["baseline_token_accuracy"] + 0.05,
      "the tagger beats the per-position majority tag: it remembers tokens, not just positions",
      tagger=rmm.metrics["token_accuracy"], per_position=rmm.metrics["baseline_token_accuracy"])

# %% [markdown]
# ## Many-to-many, another length: encoder-decoder
#
# Digits in, words out: `3 4 2` → `three hundred forty two`. The lengths
# differ, so an **encoder** reads the digits into its final state, and a
# **decoder** starts from that state and writes words, trained with teacher
# forcing (it reads `<start>` + the true words so far). At inference it reads
# its own previous word: `rnn_keras.decoding.greedy_decode`. `toy.number_words`
# splits the numbers themselves into training and test numbers, so a test
# number is one the model has not seen. Two measures: **token accuracy** with
# teacher forcing (the true previous word is given; baseline: the most
# frequent word at each position) and **exact match** of the greedy decoding
# (on its own words). The output width, 32, is the size of
# the number-word vocabulary.

# %%
seq2seq = models.seq2seq(topologies.NUMBER_VOCAB_SIZE, source_vocab_size=13, embedding_dim=32,
                         cell="gru", units=topologies.UNITS)
rs2s = topologies.run_problem("seq2seq", model=seq2seq, seed=SEED)
print(rs2s.metrics)
for n, truth, guess in zip(rs2s.example["numbers"], rs2s.example["targets"], rs2s.example["predictions"]):
    print(f"{n:>4} -> {guess:<32} {'ok' if guess == truth else 'expected: ' + truth}")

# %% [markdown]
# ## The same models in plain Keras
#
# The builders save typing, not understanding. Here are the four recurrent
# models (and the classifier) written with Keras layers alone, at the sizes
# above; each must have exactly the builder's number of parameters.

# %%
U, V = topologies.UNITS, topologies.NUMBER_VOCAB_SIZE
L = keras.layers
plain = {
    "one_to_one": keras.Sequential([keras.Input((64,)), L.Dense(U, activation="tanh"), L.Dense(10)]),
    "one_to_many": keras.Sequential([keras.Input((3,)), L.RepeatVector(topologies.CURVE_STEPS),
                                     L.GRU(U, return_sequences=True), L.Dense(1)]),
    "many_to_one": keras.Sequential([keras.Input((8, 8)), L.GRU(U), L.Dense(10)]),
    "many_to_many": keras.Sequential([keras.Input((None,), dtype="int32"),
                                      L.Embedding(topologies.SEEN_BEFORE["vocab_size"], 16, mask_zero=True),
                                      L.GRU(U, return_sequences=True), L.Dense(2)]),
}
# seq2seq: the encoder's final state starts the decoder (teacher forcing in training)
source = keras.Input((None,), dtype="int32", name="encoder_inputs")
target = keras.Input((None,), dtype="int32", name="decoder_inputs")
_, state = L.GRU(U, return_state=True)(L.Embedding(13, 32, mask_zero=True)(source))
decoded = L.GRU(U, return_sequences=True)(L.Embedding(V, 32, mask_zero=True)(target), initial_state=state)
plain["seq2seq"] = keras.Model([source, target], L.Dense(V)(decoded))
for r in [r11, r1n, rn1, rmm, rs2s]:
    ours, theirs = r.model.count_params(), plain[r.name].count_params()
    print(f"{r.name:<13} builder {ours:>6,}  plain Keras {theirs:>6,}  "
          f"layers: {[type(l).__name__ for l in plain[r.name].layers if l.weights]}")
    claim(ours == theirs, f"{r.name}: the plain-Keras model has the builder's parameter count",
          parameters=ours)

# %% [markdown]
# **Compile, fit, evaluate: the Keras way, once.** Under every training in
# this course are `compile` and `fit` (the package wraps `model.fit` in
# `rnn_keras.training.fit`, which adds early stopping and resume, and the task
# notebooks print the calls their experiment made); the scores come from
# `evaluate` where a Keras metric is the score, otherwise from `predict` and
# the package's metrics (as `topologies` scores the models above). Here the
# three calls run in plain sight on the plain-Keras many-to-one model above,
# with the settings `topologies` uses for it (Adam, sparse cross-entropy on
# logits, batches of 64, 10% of the training digits held out for validation,
# the profile's epochs): the digit read row by row. The seed fixes the
# shuffling, not the initial weights, which were drawn when the model was
# built above, so the run is not the builder's run repeated.

# %%
(rows_train, labels_train), (rows_test, labels_test) = toy.digits(as_sequence=True, seed=SEED)
keras.utils.set_random_seed(SEED)
gru_digits = plain["many_to_one"]
gru_digits.compile(optimizer="adam",
                   loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                   metrics=["accuracy"])
history = gru_digits.fit(rows_train, labels_train, epochs=topologies.SETTINGS[config.get_profile()]["epochs"]["many_to_one"],
                         batch_size=64, validation_split=0.1, verbose=0)
loss, accuracy = gru_digits.evaluate(rows_test, labels_test, verbose=0)
majority = float(np.mean(labels_test == np.bincount(labels_train).argmax()))
print(f"{len(history.history['loss'])} epochs: training loss {history.history['loss'][0]:.3f} -> "
      f"{history.history['loss'][-1]:.3f}; test accuracy {accuracy:.3f} (majority class {majority:.3f}; "
      f"the builder's model above {rn1.metrics['accuracy']:.3f})")
claim(accuracy > majority + 0.05, "compiled and fitted by hand, the plain GRU beats the majority "
      "class by more than 5 points", accuracy=accuracy, majority=majority)
claim(abs(accuracy - rn1.metrics["accuracy"]) < 0.05, "and lands within 5 points of the builder's "
      "model trained by the package", plain_keras=accuracy, builder=rn1.metrics["accuracy"])

# %% [markdown]
# ## Shapes and sizes
#
# Input and output shapes of the five models (`None` = any batch size or any length):

# %%
# NBVAL_CHECK_OUTPUT
results = [r11, r1n, rn1, rmm, rs2s]
print(topologies.shape_table(results))

# %% [markdown]
# ## Train and evaluate: curves and the results table

# %%
viz.plot_histories({r.name: r.history for r in results});

# %%
print(f"{'topology':<14}{'metric':<16}{'model':>8}{'baseline':>10}{'seconds':>9}")
for r in results:
    main = next(k for k in r.metrics if not k.startswith("baseline"))
    print(f"{r.name:<14}{main:<16}{r.metrics[main]:>8.3f}{r.metrics['baseline_' + main]:>10.3f}{r.seconds:>9.1f}")
print(f"seq2seq exact match (greedy decoding, unseen numbers): {rs2s.metrics['exact_match']:.3f}")
for r in results:
    main = next(k for k in r.metrics if not k.startswith("baseline"))
    model, base = r.metrics[main], r.metrics["baseline_" + main]
    if main == "mse":
        claim(model < 0.25 * base, f"{r.name} cuts the baseline's MSE by more than 4x", model=model, baseline=base)
    else:
        claim(model > base + 0.05, f"{r.name} beats its baseline by more than 5 points", model=model, baseline=base)

# %% [markdown]
# ## Takeaways
#
# - One builder call per topology; the only differences are where the
#   sequence axis is (input, output, both) and whether the lengths match.
# - The table above is this run's answer to the question: every model beats
#   its strongest trivial baseline (checked above). For the aligned tagger
#   that baseline is the majority tag *at each position*, which a tagger
#   reading positions only would match; beating it shows memory of the
#   tokens. For the encoder-decoder the baseline writes the most frequent
#   word at each position.
# - Under every builder and every experiment are Keras's `compile` and `fit`;
#   run by hand on the plain-Keras GRU, with `evaluate` for its accuracy, they
#   give a model within 5 points of the builder's (checked above).
# - Padding goes on the right and is masked; losses on padded sequences are
#   weighted with `sample_weight`, and token accuracy is counted over real
#   tokens only (`rnn_keras.metrics.token_accuracy`).
# - The same problems run from the command line:
#   `python -m rnn_keras run topologies --profile quick`.
#
# ## Exercises
#
# 1. *Checkable:* a Keras `LSTM` layer with `units` units reading `inputs`
#    features has `4 * (units * (inputs + units) + units)` weights (four gate
#    blocks; i, f, c, o). Rebuild the plain many-to-one model above with
#    `L.LSTM(U)` in place of `L.GRU(U)` and assert that its `count_params()`
#    equals that formula plus the `Dense(10)` layer's `10 * (U + 1)`.
# 2. Train the tagger with `bidirectional=True`. Which baseline does it beat
#    now, and why is that no longer a fair test of memory?
# 3. Replace `cell="gru"` by `cell="simple"` in the tagger: does it still
#    beat the per-position baseline?
# 4. Decode the seq2seq model with `decoding.beam_search` (see notebook 06)
#    and compare its exact match with greedy decoding.
