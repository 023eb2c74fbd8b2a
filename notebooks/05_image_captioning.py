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
# # 05 · Image captioning: an image in, a sentence out
#
# **Question.** Can a CNN encoder and an RNN decoder, trained from scratch,
# describe a picture it has never seen, and does *attention* let each word
# look at the right part of the image?
#
# Real captioning sets (Flickr8k, COCO) are gigabytes and need a pretrained
# image encoder, which a course that runs offline cannot download. So the headline task
# is one whose answers can be checked: **scenes of real MNIST digits**, one to
# three per image in two sizes, captioned by a small grammar reading left to
# right (*"a large 7 to the left of a small 2"*). Every caption parses back to
# its layout, so we know exactly which digit each word names.
#
# Measured on scenes whose digit images never appear in training:
# BLEU-1..4 and exact captions, greedy vs beam search, with vs without
# attention, and the **attention-on-object rate**: the share of digit words
# whose attention peak lies inside that digit's box. Two trivial captioners
# set the bar, both picked on the validation scenes: the best **constant
# caption**, and a **layout oracle** that writes each scene's true layout
# (count, sizes, order) with every digit called the same: it knows where the
# digits are and nothing about which they are. The same model then runs
# on real COCO photos (the standard captions format), as a working path.
#
# The quick profile trains small models for a few epochs; the results page has
# the full profile's numbers and its command.
#
# [Open in Colab](https://colab.research.google.com/github/rnn-keras/rnn-keras/blob/main/notebooks/05_image_captioning.ipynb)

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

from rnn_keras import config, decoding, keras_calls, viz
from rnn_keras.claims import claim
from rnn_keras.data import coco_captions, scenes
from rnn_keras.experiments import captioning

SEED = 0
keras.utils.set_random_seed(SEED)
print(config.describe())
print("settings:", captioning.SETTINGS[config.get_profile()])

# %% [markdown]
# ## Data
#
# `scenes.make_splits` takes the MNIST test digits (`mnist/t10k-*.gz` in the
# data directory, checked by sha256), splits the digit *images* 80/20, and
# draws train and validation scenes from one side and test scenes from the
# other.

# %%
data = captioning.prepare(seed=SEED)
splits, settings = data.splits, data.settings
print({name: len(s["captions"]) for name, s in splits.items()}, "scenes")
ids = {name: {d["image_id"] for layout in s["layouts"] for d in layout}
       for name, s in splits.items()}
print("digit images shared by test and training scenes:",
      len(ids["test"] & (ids["train"] | ids["validation"])))
print("vocabulary:", " ".join(captioning.VOCABULARY))
viz.plot_captioned_images(splits["train"]["images"][:8], splits["train"]["captions"][:8])
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
text = splits["train"]["captions"][0]
print(text, "->", scenes.parse_caption(text))
inputs, targets, weights = captioning.encode([text])
print("decoder inputs:", inputs[0].tolist())
print("targets:       ", targets[0].tolist())

# %% [markdown]
# ## Model
#
# `models.image_captioner`: three conv blocks turn the 64×64 image into an
# 8×8 grid of feature vectors (64 *cells*), each with a learned position
# (`layers.GridPositionEmbedding`: the attention context is a weighted mean
# over cells, which by itself would not say where a cell lies). The whole grid,
# flattened, sets the GRU decoder's initial state; with `attention="bahdanau"`
# every step also scores the 64 cells with additive attention
# (`layers.AttentionRNN`) and reads their weighted mean. Training is teacher
# forced. The model is an `models.ImageCaptioner` (an encoder-decoder like
# `models.Seq2Seq`), so `decoding.StepDecoder` decodes it greedily (returning
# the attention of every word) or by beam search.

# %% [markdown]
# **Attention over the grid** (Bahdanau et al. 2015; Xu et al. 2015, *Show,
# attend and tell*). The CNN gives one vector $h_j$ per grid cell
# ($j = 1..64$, position embedding included). At word $t$ the previous
# decoder state $s_{t-1}$ scores every cell, a softmax turns the scores into
# weights, and the weighted mean of the cells, the context $c_t$, joins the
# word's input:
#
# $$e_{tj} = v^\top \tanh(W_q s_{t-1} + W_k h_j + b), \qquad
# a_{tj} = \frac{\exp e_{tj}}{\sum_k \exp e_{tk}}, \qquad c_t = \sum_j a_{tj} h_j,$$
# $$s_t = \mathrm{GRU}\big([x_t;\ c_t],\ s_{t-1}\big), \qquad
# p(w_t \mid \cdot) = \mathrm{softmax}\big(W_o [s_t;\ c_t] + b_o\big),$$
#
# with $x_t$ the embedding of the previous word and $s_0$ a dense layer of the
# flattened grid (`layers.BahdanauAttention` computes $e$, $a$ and $c$;
# `layers.AttentionRNN` runs the loop). Without attention the decoder sees the
# image only through $s_0$. The *attention-on-object rate* asks whether
# $\arg\max_j a_{tj}$, for a digit word $w_t$, lies inside that digit's box.

# %%
# NBVAL_CHECK_OUTPUT
with_attention = captioning.build_model(data, attention="bahdanau")
without = captioning.build_model(data, attention=None)
for model in (with_attention, without):
    print(f"{model.name}: {model.count_params():,} parameters; memory",
          model.get_layer("encoder_outputs").output.shape)

# %% [markdown]
# ## Train

# %%
# NBVAL_IGNORE_OUTPUT
fits = {}
for name, model in (("attention", with_attention), ("no attention", without)):
    fits[name] = captioning.train(data, model, seed=SEED, verbose=0,
                                  run_dir="runs/notebook-05", name=name.replace(" ", "-"))
    print(f"{name}: {fits[name].epochs} epochs in {fits[name].seconds:.0f} s, best epoch "
          f"{fits[name].best_epoch}")
viz.plot_histories({k: f.history for k, f in fits.items()}, log_scale=False)
plt.show()

# %% [markdown]
# The plain Keras calls `captioning.train` made, read off the model and the training
# (`rnn_keras.keras_calls`: data by shape, callbacks named; `training.fit` adds
# crash-safe backups and best-epoch tracking to `model.fit`):

# %%
print(keras_calls.compile_call(with_attention))
print(fits["attention"].fit_call)

# %% [markdown]
# ## Evaluate

# %%
results = {"attention": captioning.evaluate(with_attention, data, beam_width=3),
           "no attention": captioning.evaluate(without, data, beam_width=3)}
test = splits["test"]
trivial = captioning.trivial_baselines(data, pick_on="validation")
baselines = {"constant caption": [trivial["constant"]] * len(test["captions"]),
             f"layout oracle, every digit {trivial['layout_digit']}":
                 captioning.layout_captions(test["layouts"], trivial["layout_digit"])}
rows = {f"{name} ({how})": result[how] for name, result in results.items() for how in ("greedy", "beam")}
rows.update({name: {**captioning.scores(c, test), "digit_accuracy": captioning.digit_accuracy(c, test["layouts"]),
                    "layout_accuracy": captioning.layout_accuracy(c, test["layouts"])} for name, c in baselines.items()})
print("BLEU on a 0-1 scale (sacreBLEU and notebook 06 print it times 100); digits: share of digits")
print("named right on the scenes whose layout the caption got right (chance 0.1); layout: share of")
print("captions with the scene's count, sizes and order")
print(f"{'captioner':34s} {'BLEU-1':>7s} {'BLEU-2':>7s} {'BLEU-3':>7s} {'BLEU-4':>7s} {'exact':>6s} {'digits':>7s} {'layout':>7s}")
for name, s in rows.items():
    extra = "".join(f"{s[k]:7.3f} " if s.get(k) is not None else f"{'':>7s} " for k in ("digit_accuracy", "layout_accuracy"))
    print(f"{name:34s} {s['bleu_1']:7.3f} {s['bleu_2']:7.3f} {s['bleu_3']:7.3f} {s['bleu_4']:7.3f} "
          f"{s['exact_match']:6.3f} {extra}")
print(f"the constant caption, picked on the validation scenes: '{trivial['constant']}'")
on_object = results["attention"]["attention_on_object"]
greedy = results["attention"]["captions"]["greedy"]
chance = captioning.attention_chance(greedy, test["layouts"])  # the same digit words
print(f"attention peak inside the named digit: {on_object:.3f} of digit words "
      f"(a peak on a random cell: {chance:.3f})")

# %%
a, b = results["attention"], results["no attention"]
constant = rows["constant caption"]
oracle = rows[f"layout oracle, every digit {trivial['layout_digit']}"]
claim(a["greedy"]["bleu_4"] > b["greedy"]["bleu_4"] + 0.05,
      "attention raises greedy BLEU-4 by more than 0.05",
      attention=a["greedy"]["bleu_4"], no_attention=b["greedy"]["bleu_4"])
claim(b["greedy"]["bleu_4"] <= constant["bleu_4"] + 0.01,
      "without attention the captioner scores no more than the best constant caption (BLEU-4)",
      no_attention=b["greedy"]["bleu_4"], constant=constant["bleu_4"])
claim(a["greedy"]["bleu_4"] <= oracle["bleu_4"] + 0.01 and a["greedy"]["exact_match"] <= oracle["exact_match"] + 0.01,
      "with attention it scores no more than the layout oracle that calls every digit the same",
      attention=a["greedy"]["bleu_4"], oracle=oracle["bleu_4"],
      attention_exact=a["greedy"]["exact_match"], oracle_exact=oracle["exact_match"])
claim(a["greedy"]["layout_accuracy"] > 0.6,
      "the attention model writes the scene's layout (count, sizes, order) in over 60% of the captions",
      layout_accuracy=a["greedy"]["layout_accuracy"])
claim(a["greedy"]["digit_accuracy"] < oracle["digit_accuracy"] + 0.05,
      "but where its layout is right it names the digits hardly better than calling every one the same",
      attention=a["greedy"]["digit_accuracy"], every_digit_the_same=oracle["digit_accuracy"], chance=0.1)
claim(abs(a["beam"]["bleu_4"] - a["greedy"]["bleu_4"]) < 0.03,
      "beam search (3) moves BLEU-4 by less than 0.03 here",
      greedy=a["greedy"]["bleu_4"], beam=a["beam"]["bleu_4"])
claim(on_object < chance,
      "in this quick run the attention peak does NOT sit on the named digit (below chance)",
      on_object=on_object, chance=chance)

# %% [markdown]
# **What the quick captioners learned.** Not the digits. Without attention
# the model scores what one well-chosen caption scores for every scene; with
# attention it writes the right number of digits, sizes and order in most
# captions, and names the digits hardly better than the oracle that calls
# every digit the same: its scores are at or just below the layout oracle's,
# an oracle that knows nothing of the digits (all checked above). Attention's
# gain in BLEU is the layout. The order suggested by this run and the full
# profile (not measured epoch by epoch here) is grammar first, then where
# things are, and *what* they are last: the full profile (10,000 scenes,
# wider CNN, 15 epochs) gets there, at BLEU-4 0.981 and 0.911 exact captions
# (*full profile, quoted from the results page*), which this 90-second budget does
# not reach.

# %% [markdown]
# ## Inference: captions under images, attention over the image

# %%
viz.plot_captioned_images(test["images"][:8], greedy[:8],
                          titles=["correct" if g == r else "truth: " + r
                                  for g, r in zip(greedy[:8], test["captions"][:8])])
plt.show()

# %%
attention = results["attention"]["attention"]
for i in (0, 1):
    words = greedy[i].split()
    verdict = "correct" if greedy[i] == test["captions"][i] else f"wrong; truth: {test['captions'][i]}"
    print(f"scene {i}: '{greedy[i]}' ({verdict})")
    viz.plot_attention_over_image(test["images"][i], words, attention[i, :len(words)])
    plt.show()

# %% [markdown]
# **Failure cases.** The scenes the model gets wrong, with what it said:

# %%
wrong = [i for i, (g, r) in enumerate(zip(greedy, test["captions"])) if g != r][:4]
if wrong:
    viz.plot_captioned_images(test["images"][wrong], [greedy[i] for i in wrong],
                              titles=["truth: " + test["captions"][i] for i in wrong])
    plt.show()
print(f"{len([1 for g, r in zip(greedy, test['captions']) if g != r])} of {len(greedy)} "
      "test captions differ from the truth")

# %% [markdown]
# ## Real photos: the COCO captions format
#
# `rnn_keras.data.coco_captions` reads COCO's `annotations/captions_*.json`
# and image folders (or an archive of them, in place). Here the same model trains for one
# epoch on the 80 training photos of `coco_mini.tgz` (5 captions each) and decodes real
# photos end to end: a check that the pipeline runs, not a captioner (its BLEU-4 below is shown without a baseline on purpose: it is not a result) (captions that mean
# something take the full 118k-image set and a pretrained encoder, which
# `image_captioner(encoder=...)` accepts):

# %%
# NBVAL_IGNORE_OUTPUT
# Optional: only with a local COCO copy (coco_mini.tgz in RNN_KERAS_DATA_DIR);
# nothing is downloaded here.
if coco_captions.available():
    coco = captioning.coco_run(epochs=1, seed=SEED)
    print(f"{coco['train_pairs']} training captions, vocabulary {coco['vocabulary_size']}, "
          f"BLEU-4 (0-1 scale) on val2017: {coco['bleu_4']:.3f}")
    viz.plot_captioned_images(coco["valid"]["images"][:4], coco["captions"][:4],
                              titles=["truth: " + c[0][:34] for c in coco["valid"]["captions"][:4]])
    plt.show()
else:
    print("No local COCO copy (coco_mini.tgz or a coco/ folder in RNN_KERAS_DATA_DIR): "
          "the COCO part is skipped.")

# %% [markdown]
# ## Takeaways

# %% [markdown]
# - Captioning is one-to-many: one image, a sentence written word by word,
#   each word fed back in. With attention the decoder re-reads the image at
#   every word; without it, everything must pass through the initial state.
#   In this run attention raised BLEU-4 by more than 0.05 (checked above),
#   and that gain is the layout: the model scores at or just below a layout
#   oracle that calls every digit the same, and the model without attention
#   what the best constant caption scores (checked above).
# - Checkable captions make every claim measurable: word overlap (BLEU),
#   exact captions, and whether the attention looks where the word points.
#   Here it does not: the peaks land on the named digit less often than a
#   random cell would (checked above). Attention raised BLEU-4, yet its peaks
#   do not point at the digit a word names: BLEU alone would never have told.
# - Set a captioner against the strongest trivial ones, picked on
#   validation: the constant caption picked on validation already scores
#   BLEU-4 above 0.4 here, because most of a caption is grammar. BLEU counts the
#   words a caption shares with the truth; the digit accuracy column asks
#   whether the words that matter are right.
# - Beam search changed BLEU-4 by less than 0.03 (checked above); a likely
#   reason (not measured here): the grammar leaves few plausible
#   continuations once the digits are read.
# - Try: the full profile (`python -m rnn_keras run captioning --profile
#   full`), `--attention none`, `--cell lstm`, or your own COCO folder with a
#   pretrained encoder.
#
# ## Exercises
#
# 1. Train the attention model for 12 epochs: does the attention-on-object
#    rate pass chance, and when (plot it per epoch)?
# 2. Remove the position embedding (`layers.GridPositionEmbedding`) from
#    `models.image_captioner` and retrain: which words suffer, and why?
# 3. *Checkable:* `captioning.trivial_baselines` picks the constant caption
#    on the validation scenes. Pick it on the test scenes instead (the same
#    140 candidates, `captioning.constant_candidates()`) and check with
#    `claim` how much BLEU-4 a choice made on the test would have gained: the
#    size of the leak.
# 4. Write the greedy decoding loop yourself with `decoding.StepDecoder`
#    (`start`, then `step` until `<end>`) and check it against
#    `decoding.greedy_search` on ten scenes.
