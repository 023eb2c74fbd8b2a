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
# # 00 · An RNN from scratch: one step, unrolling, parameter sharing, BPTT
#
# **Question.** What exactly does a recurrent network compute, and how does the
# gradient travel back through time? We build a vanilla RNN step by hand in
# NumPy, check it against the package's `SimpleRNNCell` and Keras's own
# `SimpleRNN`, show that its parameter count does not depend on the sequence
# length, and compute backpropagation through time (BPTT) by hand, checked
# against automatic differentiation.
#
# Sections: Introduction · Setup · One step · Unrolling · Parameter sharing ·
# BPTT by hand · Gradient norms over time · Takeaways.
#
# [Open in Colab](https://colab.research.google.com/github/rnn-keras/rnn-keras/blob/main/notebooks/00_rnn_from_scratch.ipynb)

# %% [markdown]
# ## Setup
#
# The first line says which profile and data source this run uses (this notebook needs no data).

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
from keras import ops

from rnn_keras import bptt, config, viz
from rnn_keras.layers import SimpleRNNCell

keras.utils.set_random_seed(0)
print(config.describe())

# %% [markdown]
# ## One step
#
# A vanilla (Elman) RNN keeps a hidden state $h$. At each step it mixes the
# current input $x_t$ with the previous state:
#
# $$h_t = \tanh(x_t W + h_{t-1} U + b)$$
#
# $W$ (input → hidden), $U$ (hidden → hidden) and $b$ are the only parameters.
# Here is one step in plain NumPy.

# %%
rng = np.random.default_rng(0)
input_dim, units = 3, 4
W = rng.normal(scale=0.5, size=(input_dim, units)).astype("float32")  # input -> hidden
U = rng.normal(scale=0.5, size=(units, units)).astype("float32")      # hidden -> hidden
b = np.zeros(units, dtype="float32")


def rnn_step(x_t, h_prev):
    return np.tanh(x_t @ W + h_prev @ U + b)


x_1 = rng.normal(size=(1, input_dim)).astype("float32")
h_0 = np.zeros((1, units), dtype="float32")
h_1 = rnn_step(x_1, h_0)
print("h_1 =", h_1.round(4))

# %% [markdown]
# The package's `SimpleRNNCell` computes the same step in `keras.ops`; its weights are `[kernel W, recurrent_kernel U, bias b]`, the layout of Keras's own cell.

# %%
# NBVAL_CHECK_OUTPUT
cell = SimpleRNNCell(units)
cell.build((None, input_dim))
cell.set_weights([W, U, b])
h_cell, _ = cell(x_1, [h_0])
print("package cell agrees with NumPy to 1e-6:",
      bool(np.abs(ops.convert_to_numpy(h_cell) - h_1).max() < 1e-6))

# %% [markdown]
# ## Unrolling over time
#
# Running the step along a sequence, feeding each state into the next step,
# is *unrolling*: the recurrent network becomes a deep feed-forward network
# with one layer per time step, all layers sharing $W$, $U$, $b$.
# `keras.layers.RNN` does this loop for any cell.

# %%
T = 6
xs = rng.normal(size=(1, T, input_dim)).astype("float32")
h, by_hand = h_0, []
for t in range(T):
    h = rnn_step(xs[:, t], h)
    by_hand.append(h)
by_hand = np.stack(by_hand, axis=1)  # (1, T, units)

package = keras.layers.RNN(cell, return_sequences=True)(xs)
reference = keras.layers.SimpleRNN(units, return_sequences=True)
reference(xs)
reference.set_weights([W, U, b])
keras_out = reference(xs)

# %%
# NBVAL_CHECK_OUTPUT
print("hand loop vs package RNN :", bool(np.abs(ops.convert_to_numpy(package) - by_hand).max() < 1e-5))
print("hand loop vs keras SimpleRNN:", bool(np.abs(ops.convert_to_numpy(keras_out) - by_hand).max() < 1e-5))

# %%
fig, ax = plt.subplots(figsize=(6, 2.2))
image = ax.imshow(by_hand[0].T, aspect="auto", cmap="RdBu", vmin=-1, vmax=1)
ax.set_xlabel("time step t"); ax.set_ylabel("hidden unit"); ax.set_title("h_t along the sequence")
fig.colorbar(image, ax=ax);

# %% [markdown]
# ## Parameter sharing
#
# Because every step uses the same $W$, $U$, $b$, the number of parameters is
# $\text{units} \times (\text{input\_dim} + \text{units} + 1)$ whatever
# the length of the sequence: the network can read sequences of any length,
# and what it learns at one position applies at every other.

# %%
# NBVAL_CHECK_OUTPUT
print(f"formula: units * (input_dim + units + 1) = {units * (input_dim + units + 1)}")
for length in (5, 50, 500):
    model = keras.Sequential([keras.Input((length, input_dim)), keras.layers.RNN(SimpleRNNCell(units))])
    print(f"sequence length {length:>3}: {model.count_params()} parameters")

# %% [markdown]
# ## Backpropagation through time, by hand
#
# Take the loss $L = \tfrac12 \lVert h_T - y \rVert^2$ on the last state.
# Going backwards from $\delta_T = \partial L / \partial h_T = h_T - y$, each
# step does
#
# $$z_t = \delta_t \odot (1 - h_t^2) \quad (\text{through } \tanh)$$
# $$\partial L/\partial U \mathrel{+}= h_{t-1}^\top z_t,\quad \partial L/\partial W \mathrel{+}= x_t^\top z_t,\quad \partial L/\partial b \mathrel{+}= z_t$$
# $$\delta_{t-1} = z_t U^\top$$
#
# The gradient for the shared $U$ is the **sum over time** of each step's
# contribution, and $\delta$ is multiplied by $U^\top$ and $\tanh'$ once per
# step back: the root of vanishing and exploding gradients.

# %%
y = rng.normal(size=(1, units)).astype("float32")
states = np.concatenate([h_0[:, None], by_hand], axis=1)  # h_0 .. h_T

delta = states[:, -1] - y
dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
delta_norms = np.zeros(T)
for t in range(T, 0, -1):  # t = T .. 1
    delta_norms[t - 1] = np.linalg.norm(delta)
    z = delta * (1 - states[:, t] ** 2)
    dU += states[:, t - 1].T @ z
    dW += xs[:, t - 1].T @ z
    db += z.sum(axis=0)
    delta = z @ U.T


# %% [markdown]
# Automatic differentiation of the same loss, written in `keras.ops` and differentiated with the active backend (`bptt.gradient`):

# %%
def loss_of(U_value):
    h = ops.convert_to_tensor(h_0)
    for t in range(T):
        h = ops.tanh(ops.matmul(xs[:, t], W) + ops.matmul(h, U_value) + b)
    return 0.5 * ops.sum((h - y) ** 2)


dU_auto = ops.convert_to_numpy(bptt.gradient(loss_of, U))
norms_auto = bptt.state_gradient_norms(cell, xs, loss_fn=lambda out: 0.5 * ops.sum((out[:, -1] - y) ** 2))

# %%
# NBVAL_CHECK_OUTPUT
print("dL/dU by hand == autodiff (1e-5):", bool(np.abs(dU - dU_auto).max() < 1e-5))
print("||dL/dh_t|| by hand == package (1e-5):", bool(np.abs(delta_norms - norms_auto).max() < 1e-5))

# %%
print("||dL/dh_t|| for t = 1..T:", delta_norms.round(4))

# %% [markdown]
# ## Gradient norms over a longer sequence
#
# With the same small weights on a 60-step sequence, how much does the loss at
# the end still depend on early states? `bptt.state_gradient_norms` computes
# $\lVert \partial L / \partial h_t \rVert$ for every $t$; `bptt.decay_rate`
# fits the factor by which it shrinks per step back. Notebook 02 studies this
# for LSTM and GRU as well.

# %%
long_x = rng.normal(size=(8, 60, input_dim)).astype("float32")
norms = bptt.state_gradient_norms(cell, long_x)
rate = bptt.decay_rate(norms)
print(f"per-step factor: {rate:.3f}; after 30 steps back the gradient is {rate ** 30:.1e} of its size at the end")
viz.plot_gradient_norms({"SimpleRNN, W and U ~ N(0, 0.5²)": norms});

# %% [markdown]
# ## Takeaways
#
# - An RNN step is one line, $h_t = \tanh(x_t W + h_{t-1} U + b)$; unrolling
#   applies it along the sequence with the same weights, which is why the
#   parameter count above did not change from 5 to 500 steps.
# - The package's `SimpleRNNCell` and Keras's `SimpleRNN` compute exactly the
#   hand-written loop (checked above for the SimpleRNN; notebook 03 shows the
#   LSTM and GRU equations beside their cells).
# - BPTT is ordinary backpropagation through the unrolled graph: the gradient
#   of the shared $U$ sums every step's contribution, and the row vector
#   $\partial L/\partial h_t$ is multiplied by $\operatorname{diag}(1-h_t^2)\,U^\top$
#   once per step back (the BPTT loop above). The
#   measured per-step factor printed above says how fast the past is forgotten
#   by the gradient: the subject of notebook 02.
#
# ## Exercises
#
# 1. Extend `rnn_step` with an output layer, $y_t = h_t V + c$, and
#    count the parameters of the unrolled model for 5 and 500 steps.
# 2. Replace $\tanh$ by the identity in `rnn_step` and in the BPTT loop: what
#    is the per-step factor now, and how does it relate to $U$? (Notebook 02
#    answers with a sweep.)
# 3. Scale $U$ by 2 and re-run the gradient-norm cell: does the gradient
#    still vanish? Why can $\tanh$ keep it bounded even then?
# 4. Check one entry of the hand-computed $\partial L / \partial U$ with a
#    finite difference: perturb that entry by $10^{-3}$ and re-run the loop.
