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
# # 12 · What recurrent networks cost: time, data and tuning
#
# **Question.** Textbooks list three costs of RNNs beside their gradients:
# they are *slow* (computationally expensive), they *need a lot of data*, and
# they *need tuning*. On this machine, with this package:
#
# 1. **Time and memory.** How do training and inference time per sequence grow
#    with the length $T$ for SimpleRNN, LSTM and GRU (Keras's fused layers and
#    a from-scratch cell), a 1-D CNN and one self-attention layer? How does the
#    memory they keep grow?
# 2. **Data.** On IMDB (notebook 04) and spoken digits (notebook 11): how does
#    test accuracy grow with the number of training examples, for a GRU and for
#    its linear baseline? Where, if anywhere, does the network cross it?
# 3. **Tuning.** A budgeted random search with KerasTuner over the spoken-digit
#    GRU: how much does tuning gain against the spread across seeds, and which
#    hyperparameter moved the validation score most?
#
# Everything here is measured by `rnn_keras.experiments.costs`
# (`python -m rnn_keras run costs`); the quick profile keeps it short, the
# full profile (`--profile full`: longer sequences, whole data sets, more
# trials and seeds) writes a record for the results page.
#
# [Open in Colab](https://colab.research.google.com/github/rnn-keras/rnn-keras/blob/main/notebooks/12_what_rnns_cost.ipynb)

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
import os

import keras
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter, ScalarFormatter

from rnn_keras import config
from rnn_keras.claims import claim
from rnn_keras.experiments import costs

SEED = 0
keras.utils.set_random_seed(SEED)
settings = costs.SETTINGS[config.get_profile()]
print(config.describe(), "|", os.cpu_count(), "CPU cores")
print("settings:", settings)

# %% [markdown]
# ## 1. Time and memory against length
#
# Where the time goes, in equations (rows are batch entries, $d$ the width):
#
# - **Recurrent layer**: $h_t = f(x_t W + h_{t-1} U + b)$. Step $t$ needs
#   $h_{t-1}$, so the $T$ steps run **one after another**: $T$ small matrix
#   products of cost $O(d^2)$ each. Backpropagation through time keeps every
#   $h_t$ for the backward pass: memory $O(T\,d)$.
# - **1-D convolution** (kernel $k$, dilation $r$):
#   $y_t = \mathrm{ReLU}\big(\sum_{j=0}^{k-1} x_{t - j r} W_j + b\big)$. Every
#   $y_t$ depends on inputs only, so all $T$ positions are **one** large
#   matrix product per layer; a stack of $L$ layers is $L$ sequential steps,
#   whatever $T$ is.
# - **Self-attention**: $\mathrm{softmax}(Q K^\top / \sqrt{d_k})\, V$ with
#   $Q, K, V = X W_Q, X W_K, X W_V$: also a few large products, but the
#   weights $Q K^\top$ form a $T \times T$ matrix per head: time and memory
#   $O(T^2)$.
#
# That is what we expect; the run measures time, not its causes.
# `costs.time_per_sequence` times one training step (`train_on_batch`) and
# one inference call (`predict_on_batch`) on random sequences, after a
# warm-up call that compiles for the shape; the median of a few repeats,
# divided by the batch size. `costs.state_bytes` gives the size (`.nbytes`)
# of the activation that grows fastest with $T$: the attention weights
# ($B \times \text{heads} \times T \times T$), or one layer's output
# sequence ($B \times T \times d$), which a recurrent layer must keep for
# BPTT (an LSTM or GRU keeps its gates too: several such tensors). It is
# arithmetic on the shapes, shown as measured arrays, and a lower bound on
# memory, not a peak.

# %%
rows = costs.cost_table(settings, seed=SEED)
print(costs.format_cost_table(rows, "train_ms"))
print(costs.format_cost_table(rows, "inference_ms"))
print(costs.format_cost_table(rows, "state_bytes"))
spread = max(r["spread"] for r in rows)
print(f"largest distance of a timed call from its median, within this run: {spread:.0%}")

# %%
lengths = settings["lengths"]
fig, axes = plt.subplots(1, 3, figsize=(14, 3.6))
for kind in settings["kinds"]:
    mine = [r for r in rows if r["kind"] == kind]
    style = "--" if kind in ("cnn", "attention") else "-"
    axes[0].loglog(lengths, [r["train_ms"] for r in mine], style, marker="o", label=kind)
    axes[1].loglog(lengths, [r["inference_ms"] for r in mine], style, marker="o", label=kind)
for kind, label in (("lstm", "output sequence B x T x units (every recurrent kind)"),
                    ("attention", "attention weights B x heads x T x T")):
    axes[2].loglog(lengths, [r["state_bytes"] for r in rows if r["kind"] == kind], marker="o",
                   label=label)
for ax, title in zip(axes, ("training step, ms per sequence", "inference, ms per sequence",
                            "bytes of the fastest-growing activation")):
    ax.set_title(title, fontsize=10); ax.set_xlabel("sequence length T"); ax.grid(alpha=0.3)
    ax.set_xticks(lengths); ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
axes[0].legend(fontsize=8); axes[2].legend(fontsize=7);

# %%
recurrent = [k for k in settings["kinds"] if k not in ("cnn", "attention")]
grow = {kind: costs.growth(rows, kind) for kind in settings["kinds"]}
ratio = max(lengths) / min(lengths)
claim(min(grow[k] for k in recurrent) >= ratio / 4,
      f"over {ratio:.0f}x the length, every recurrent layer's training time per sequence grows "
      f"at least {ratio / 4:.0f}x", **{k: grow[k] for k in recurrent})
claim(2 * grow["cnn"] < min(grow[k] for k in recurrent),
      "the CNN's training time grows less than half as much with T as any recurrent layer's",
      cnn=grow["cnn"], slowest_growing_rnn=min(grow[k] for k in recurrent))
claim(grow["attention"] > 2 * grow["cnn"],
      "attention's training time grows more than twice as much with T as the CNN's",
      attention=grow["attention"], cnn=grow["cnn"])
mem = {k: [r["state_bytes"] for r in rows if r["kind"] == k] for k in ("lstm", "attention")}
print(f"over {ratio:.0f}x the length: attention weights x{mem['attention'][-1] / mem['attention'][0]:.0f} "
      f"(T squared), output sequence x{mem['lstm'][-1] / mem['lstm'][0]:.0f} (T)")

# %% [markdown]
# Read the claims above with the table: over the 16-fold length every
# recurrent layer's time per sequence grew several-fold, the CNN's less than
# half as much, and attention's more than twice as much as the CNN's (each
# checked with a factor of 2 to spare, since single timings move by the
# printed spread). That fits the expectation above (a recurrent layer's $T$
# steps run one after another; a convolution's positions are one product),
# but this run does not separate the loop from the arithmetic, and every kind
# also pays a fixed cost per call that flattens the ratios at short lengths.
# The activation sizes are shapes, not measurements of peak memory: the
# attention weights grow with $T^2$, an output sequence with $T$. With the
# full profile's batch of 16 sequences of 2,000 steps and 2 heads, attention's
# weights alone would be $16 \times 2 \times 2000^2 \times 4$ bytes, about
# half a gigabyte, per layer.
#
# ## 2. Data: learning curves against the linear baseline
#
# `costs.prepare` reads IMDB as notebook 04 does and the spoken digits'
# official split (notebook 11) as log-mel frames (computed once, outside the
# model, to keep the curve fast) and as MFCC statistics for the baseline.
# Each point trains from scratch on a random subset of the training split
# and reports test accuracy, over 2 seeds (the subset and the initial weights
# change; at the largest IMDB size the subset is the whole pool, so only the
# weights change). The baselines: NB-LR for IMDB (notebook 04's strongest
# linear model), MFCC statistics + logistic regression for the digits
# (notebook 11's). The networks are untuned on purpose, as a first try would
# be: the IMDB GRU is notebook 04's unidirectional GRU (last 150 tokens of each
# review, while NB-LR reads the whole review; its vocabulary is adapted on the
# whole pool, NB-LR's on the subset), the digit GRU is section 3's untuned
# default (Adam's default learning rate). Every size gets the same epochs, so
# a smaller set also gets fewer updates.

# %%
data = costs.prepare(seed=SEED)
print(f"IMDB: {len(data.imdb.train)} training / {len(data.imdb.test)} test reviews | digits: "
      f"{len(data.y['train'])} training / {len(data.y['test'])} test clips of "
      f"{data.x['train'].shape[1]} frames x {data.x['train'].shape[2]} mel bins")

# %%
raw = {"IMDB": costs.imdb_curve(data), "spoken digits": costs.fsdd_curve(data)}
curves = {name: costs.curve_summary(rows) for name, rows in raw.items()}
chance = {"IMDB": 0.5, "spoken digits": 0.1}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for ax, (name, summary), baseline in zip(axes, curves.items(), ("NB-LR", "MFCC + LR")):
    sizes = list(summary)
    for key, label in (("rnn", "GRU"), ("linear", baseline)):
        mean, std = (np.array([summary[s][key][i] for s in sizes]) for i in (0, 1))
        ax.errorbar(sizes, mean, yerr=std, marker="o", capsize=3, label=f"{label} (mean +- std, 2 seeds)")
        print(f"{name:<14} {label:<10}", "  ".join(f"n={s}: {m:.3f} +- {d:.3f}"
                                                    for s, m, d in zip(sizes, mean, std)))
    print(f"{name:<14} GRU per seed:", [(r["size"], r["seed"], round(r["rnn"], 3)) for r in raw[name]],
          f"| chance {chance[name]}")
    ax.axhline(chance[name], color="gray", ls=":", label="chance")
    ax.set_xscale("log"); ax.set_xticks(sizes); ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("training examples"); ax.set_ylabel("test accuracy")
    ax.set_title(name); ax.grid(alpha=0.3); ax.legend(fontsize=8)

# %%
for name, summary in curves.items():
    sizes = list(summary)
    gap = {s: summary[s]["linear"][0] - summary[s]["rnn"][0] for s in sizes}
    claim(all(g > 0 for g in gap.values()),
          f"{name}: the linear baseline is ahead of the GRU at every size measured",
          **{f"gap_n{s}": gap[s] for s in sizes})
    claim(gap[sizes[-1]] < gap[sizes[0]],
          f"{name}: the baseline's lead is smaller at the largest size than at the smallest",
          smallest=gap[sizes[0]], largest=gap[sizes[-1]])

# %% [markdown]
# In this run the linear baselines win at every size, and their lead is
# smaller at the largest size than at the smallest (both checked; the IMDB
# curve has two sizes, and the GRU's seeds are printed above). So in this
# setting (untuned GRUs, the same epochs for every size) the GRU did worse
# than the linear model at every amount of data tried, closing part of the
# gap as the data grew. A likely reason, not separated here: with a few
# hundred examples the baseline's fixed features (word pairs weighted by
# their naive-Bayes ratio; MFCC means and spreads) are already most of the
# answer, while the GRU must
# learn its features, and section 3 shows the digit GRU's default learning
# rate is far from its best. Whether the GRU ever crosses needs more data
# than these curves reach: the full profile
# (`python -m rnn_keras run costs --profile full`) extends them to the whole
# training splits (22,500 reviews, 2,460 clips). On the whole IMDB training
# set, the results page (notebook 04's section) still puts NB-LR above every
# recurrent model measured there.
#
# ## 3. Tuning: a budgeted search, then seeds
#
# KerasTuner's `RandomSearch` draws settings from a small space (units,
# learning rate, GRU or LSTM, bidirectional or not), trains each for the same
# 4 epochs on the same 600 training clips and keeps the one with the best
# validation accuracy. Then the tuned setting and the untuned default
# (`costs.DEFAULT_SETTING`: a unidirectional GRU of 32 units at Adam's
# default learning rate, 0.001) are each retrained from 2 seeds and scored on
# the test clips: at this budget, is the gain from tuning larger than the
# spread a new seed causes?

# %%
print("search space:", costs.SEARCH_SPACE)
study = costs.tuning_study(data, seed=SEED)
for trial in sorted(study["trials"], key=lambda t: -t["score"]):
    print(f"  validation {trial['score']:.3f}  <- {({k: trial[k] for k in costs.SEARCH_SPACE})}")
print("best:", study["best"], "| default:", costs.DEFAULT_SETTING)
print(f"test accuracy over seeds {settings['tuning_seeds']}: tuned {np.round(study['tuned_scores'], 3)}, "
      f"default {np.round(study['default_scores'], 3)}; MFCC + LR on the same {study['clips']} clips "
      f"{study['linear']:.3f} (chance 0.1)")
drawn = costs.tried(study["trials"])
for name, gap in study["importance"].items():
    note = f"{gap:.3f}" if len(drawn[name]) > 1 else "not varied"
    print(f"  {name:<14} values drawn {drawn[name]}; gap between their mean validation scores: {note}")

# %%
spread = max(np.std(study["tuned_scores"]), np.std(study["default_scores"]))
claim(study["gain"] > 2 * spread and study["gain"] > 0.05,
      "tuning gained more than twice the spread across 2 seeds of either setting (and > 0.05)",
      gain=study["gain"], spread=spread)
claim(np.mean(study["tuned_scores"]) < study["linear"],
      "even tuned, the GRU stays below MFCC + logistic regression on the same clips",
      tuned=np.mean(study["tuned_scores"]), linear=study["linear"])
changed = [k for k in costs.SEARCH_SPACE if study["best"][k] != costs.DEFAULT_SETTING[k]]
claim(changed == ["learning_rate"] and study["best"]["learning_rate"] > costs.DEFAULT_SETTING["learning_rate"],
      "the best trial differs from the default only in a larger learning rate",
      best_rate=study["best"]["learning_rate"], default_rate=costs.DEFAULT_SETTING["learning_rate"])

# %% [markdown]
# Which hyperparameter matters? In this run the best trial differs from the
# default only in its learning rate, ten times larger (checked), so the gain
# above is the learning rate's. But four trials cannot rank the
# hyperparameters: each gap printed comes from the few trials that drew each
# value ("not varied" where only one value was drawn), and two
# hyperparameters that changed together cannot be told apart.
# Read them as where to look next (exercise 4), not as a ranking. What the run
# does show: at this 4-epoch budget the default setting was far from the best
# one (the gain is over twice the spread of 2 seeds), and tuning did not make
# the GRU beat the linear baseline on the same clips.
#
# ## Takeaways
#
# - **Time.** Over a 16-fold length, every recurrent layer's time per sequence
#   grew several-fold, the CNN's less than half as much, and attention's more
#   than twice as much as the CNN's (all checked with a factor 2 to spare);
#   attention's weights grow with $T^2$ (shapes, printed), an output sequence
#   with $T$.
# - **Data.** On both data sets the linear baseline beat the untuned GRU at
#   every size of this run, by less at the largest size (checked): with little
#   data, try the linear model first, and tune the network before judging it.
# - **Tuning.** At a 4-epoch budget a 4-trial search gained more than twice the
#   seed spread over the untuned default (checked), by a larger learning rate
#   alone (checked). An untuned RNN can look much worse than it is: report
#   the spread over seeds beside any gain. Tuned, it still trailed the linear
#   baseline on the same clips (checked).
#
# ## Exercises
#
# 1. Give every size of the digit curve the same number of updates instead of
#    the same epochs (`costs.train(..., epochs=...)`): does the gap at 100 clips
#    shrink?
# 2. Add a Transformer block (attention + feed-forward + layer norm) to
#    `costs.cost_model` and time it: where does it land between the CNN and
#    the RNNs?
# 3. Time the same table with `KERAS_BACKEND=jax`: which kinds get faster?
# 4. Run `best, trials = costs.tune(data, trials=12)` and
#    `costs.importance(trials)`: do the gaps between values change?
# 5. Redraw the digit learning curve with the tuned setting
#    (`costs.build_model(data, **study["best"])`): does the gap to the baseline
#    shrink?
