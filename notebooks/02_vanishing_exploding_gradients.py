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
# # 02 · Vanishing and exploding gradients, measured
#
# **Question.** The loss of a recurrent network sits at the end of the
# sequence; the weights that must learn sit at every step. How strongly does
# the loss at the last step still depend on the hidden state $k$ steps
# earlier, for SimpleRNN, LSTM and GRU? What sets the rate at which that
# dependence shrinks or grows, and does gradient clipping rescue a training
# run that diverges without it?
#
# The measuring instrument is `rnn_keras.bptt.state_gradient_norms`: it
# unrolls a cell step by step and differentiates the loss with respect to
# every step's hidden state, giving $\lVert \partial L / \partial h_t \rVert$
# for every $t$ (notebook 00 checked it against BPTT by hand). For the LSTM it
# measures the path through the hidden state $h_t$ only; the cell state $c_t$,
# the LSTM's second path, is not perturbed.
#
# [Open in Colab](https://colab.research.google.com/github/rnn-keras/rnn-keras/blob/main/notebooks/02_vanishing_exploding_gradients.ipynb)

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

from rnn_keras import bptt, config, viz
from rnn_keras.claims import claim
from rnn_keras.data import toy
from rnn_keras.experiments import gradient_flow

SEED = 0
keras.utils.set_random_seed(SEED)
settings = gradient_flow.SETTINGS[config.get_profile()]
print(config.describe())
print("settings for this profile:", settings)

# %% [markdown]
# ## Data
#
# Two kinds of sequences: random Gaussian inputs (8 features per step) to probe
# freshly initialised cells, and the adding problem (notebook 03), a task that
# *needs* long memory, to probe cells after training.

# %%
x = gradient_flow.random_sequences(settings["batch"], settings["timesteps"], seed=SEED)
x_add, y_add = toy.adding_problem(n=3, timesteps=20, seed=SEED)
print("random sequences:", x.shape, "| adding problem:", x_add.shape, "->", y_add.shape)
print("adding example, marked values:", x_add[0, x_add[0, :, 1] == 1, 0].round(3), "sum:", y_add[0].round(3))

# %% [markdown]
# ## BPTT made visible: three cells at initialisation
#
# Same sequences, same width (32), Keras's default initialisers (Glorot input
# kernels, orthogonal recurrent kernels, LSTM forget bias 1). The loss is the
# sum of the last output; the plot shows $\lVert \partial L / \partial h_t \rVert$
# against the distance $T - t$ on a log scale. A straight line means a
# constant factor per step: `bptt.decay_rate` fits it.

# %%
initial = gradient_flow.cell_norms(timesteps=settings["timesteps"], batch=settings["batch"], seed=SEED)
for name, (norms, rate) in initial.items():
    print(f"{name:<7} factor per step {rate:.3f}; gradient {settings['timesteps'] - 1} steps back = {norms[0] / norms[-1]:.1e} x the last")
viz.plot_gradient_norms({name: norms for name, (norms, _) in initial.items()}, title="at initialisation");
claim(max(rate for _, rate in initial.values()) < 0.9,
      "at initialisation every cell loses more than 10% of the gradient per step",
      **{name: rate for name, (_, rate) in initial.items()})

# %% [markdown]
# At initialisation every cell forgets fast (checked above). The gates of LSTM
# and GRU are not trained yet to protect anything (the LSTM's forget-gate bias
# starts at 1, a head start, not a learned memory). Their advantage is that
# they **can learn** to keep the path open (forget gate near 1, update gate
# near 1). So measure again after each cell has trained on the adding problem
# with the same budget:

# %%
trained = gradient_flow.trained_cell_norms(epochs=settings["train_epochs"], seed=SEED)
for name, (norms, rate, mse) in trained.items():
    print(f"{name:<7} factor per step {rate:.3f} (was {initial[name][1]:.3f}); adding-problem test MSE {mse:.4f} (baseline {toy.ADDING_BASELINE_MSE:.3f})")
viz.plot_gradient_norms({name: norms for name, (norms, _, _) in trained.items()}, title="after training on the adding problem (T=50)");
gru_rate, gru_mse = trained["gru"][1], trained["gru"][2]
claim(gru_mse < 0.1 * toy.ADDING_BASELINE_MSE and gru_rate > initial["gru"][1] + 0.2,
      "the GRU learned the task and now keeps a much larger fraction of the gradient per step",
      mse=gru_mse, rate=gru_rate, rate_at_init=initial["gru"][1])

# %% [markdown]
# One fitted factor per cell summarises a whole curve: read the plot too (a
# norm can drop steeply over the last step and then stay flat, which a single
# rate describes badly). And a factor near 1 says the gradient survives, not
# that the cell learned the task: compare each cell's factor with its MSE.
#
# ## The recurrent matrix sets the rate
#
# With $h_t = \tanh(z_t)$, $z_t = x_t W + h_{t-1} U + b$ (rows are batch
# entries, as in notebook 00), one step back the gradient row vector becomes
# $\delta_{t-1} = (\delta_t \odot \tanh'(z_t))\, U^\top$.
# For a **linear** RNN ($\tanh$ removed) that is $\delta_t U^\top$ alone: take
# $U$ = an orthogonal matrix times $\rho$, whose singular values are all
# $\rho$, and the gradient's norm shrinks by exactly $\rho$ per step below 1,
# stays constant at 1 and explodes above 1. (For a general $U$ the spectral
# radius sets the long-run rate, not every step's.)

# %%
# NBVAL_CHECK_OUTPUT
linear = gradient_flow.radius_sweep(radii=(0.9, 1.0, 1.1), timesteps=settings["timesteps"], activation=None, seed=SEED)
for radius, (_, rate) in linear.items():
    print(f"linear RNN, spectral radius {radius}: factor per step {rate:.3f}")

# %% [markdown]
# With $\tanh$, every step also multiplies by $\tanh'(z) = 1 - \tanh^2(z) \le 1$.
# With small inputs the units stay near 0 where $\tanh'$ is close to 1; with large
# inputs they **saturate** near $\pm 1$, $\tanh' \approx 0$, and the gradient
# vanishes even when $\rho > 1$.

# %%
small = gradient_flow.radius_sweep(timesteps=settings["timesteps"], activation="tanh", input_scale=0.1, seed=SEED)
large = gradient_flow.radius_sweep(timesteps=settings["timesteps"], activation="tanh", input_scale=3.0, seed=SEED)
for radius in small:
    print(f"tanh RNN, radius {radius}: factor per step {small[radius][1]:.3f} with small inputs, {large[radius][1]:.3f} saturated")
fig, axes = plt.subplots(1, 3, figsize=(12, 3), sharey=True)
for ax, (title, sweep) in zip(axes, [("linear", linear), ("tanh, small inputs", small), ("tanh, saturated", large)]):
    for radius, (norms, _) in sweep.items():
        ax.semilogy(np.arange(len(norms))[::-1], norms, label=f"rho={radius}")
    ax.set_title(title); ax.set_xlabel("steps back (T - t)"); ax.grid(alpha=0.3)
axes[0].set_ylabel("||dL/dh_t||"); axes[0].legend()
fig.suptitle("a norm that underflows to 0 in float32 leaves the log plot and the fit "
             "(bptt.decay_rate drops zeros)", fontsize=9);

# %% [markdown]
# ## Exploding gradients and clipping
#
# A SimpleRNN trained on the adding problem with plain SGD at a large learning
# rate (0.1): the same model, data and seed three times, without clipping,
# with global-norm clipping (`global_clipnorm=1`) and with value clipping
# (`clipvalue=0.1`), built with `bptt.clipped_optimizer`.

# %%
runs = gradient_flow.clipping_runs(epochs=settings["clip_epochs"], seed=SEED)
for name, history in runs.items():
    finite = np.isfinite(history["batch_loss"])
    blew_up = f"loss became NaN at batch {int(np.argmin(finite))}" if not finite.all() else "stayed finite"
    print(f"{name:<12} {blew_up}; loss after {len(history['loss'])} epochs: {history['loss'][-1]:.4f}")
clipped = {name: runs[name]["loss"][-1] for name in ("global_norm", "value")}
claim(not np.isfinite(runs["none"]["batch_loss"]).all()
      and all(np.isfinite(runs[name]["batch_loss"]).all() for name in clipped),
      "without clipping the loss became NaN; both clipped runs stayed finite")
claim(all(abs(loss - toy.ADDING_BASELINE_MSE) < 0.02 for loss in clipped.values()),
      "the clipped runs end at the baseline loss: finite, but not learning",
      **clipped, baseline=toy.ADDING_BASELINE_MSE)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3))
for name, history in runs.items():
    batch_loss = np.array(history["batch_loss"])
    axes[0].semilogy(np.where(np.isfinite(batch_loss), batch_loss, np.nan), label=name)
    axes[1].plot(np.arange(1, len(history["loss"]) + 1), history["loss"], "o-", label=name)
axes[0].set_title("first epoch, running loss per batch"); axes[0].set_xlabel("batch")
axes[0].set_ylabel("running mean loss (log scale; NaN not drawn)"); axes[1].set_ylabel("MSE loss")
axes[1].set_title("loss per epoch (NaN is not drawn)"); axes[1].set_xlabel("epoch")
axes[1].axhline(toy.ADDING_BASELINE_MSE, color="gray", ls=":", label="baseline 1/6")
for ax in axes: ax.grid(alpha=0.3); ax.legend()

# %% [markdown]
# ## ReLU recurrences: the IRNN
#
# The activation need not be $\tanh$. Le, Jaitly and Hinton (2015) use
# $h_t = \mathrm{ReLU}(x_t W + h_{t-1} U + b)$ with $U$ **initialised to the
# identity** and small input weights (the IRNN,
# `adding_problem.irnn_cell`). For a unit that is active, $\mathrm{ReLU}' = 1$,
# so one step back the gradient is multiplied by $U^\top = I$: at
# initialisation it neither vanishes nor explodes. Measured with the same
# instrument and sequences as the three cells above:

# %%
irnn_rate = gradient_flow.cell_norms(timesteps=settings["timesteps"], batch=settings["batch"],
                                     seed=SEED, irnn=True)["irnn"][1]
print(f"IRNN factor per step at initialisation: {irnn_rate:.3f}")
claim(irnn_rate > 0.95 and irnn_rate > max(rate for _, rate in initial.values()),
      "the IRNN keeps over 95% of the gradient per step at initialisation, more than any "
      "default-initialised cell", irnn=irnn_rate, **{name: rate for name, (_, rate) in initial.items()})

# %% [markdown]
# The price: nothing bounds a ReLU unit, so when training makes $U$'s largest
# singular value exceed 1 the activations and the gradient grow without limit.
# The IRNN with plain SGD at 0.01 on the adding problem, without clipping and
# with the global norm clipped to 1 (Le et al. clip the gradient):

# %%
irnn_runs = gradient_flow.clipping_runs(epochs=2, cell="irnn", learning_rate=0.01, seed=SEED,
                                        kinds=("none", "global_norm"))
peak = {name: float(np.nanmax(h["batch_loss"])) for name, h in irnn_runs.items()}
for name, h in irnn_runs.items():
    print(f"IRNN, {name:<12} largest running loss in epoch 1: {peak[name]:9.3f}; loss per epoch "
          f"{np.round(h['loss'], 4).tolist()}")
claim(peak["none"] > 10 * peak["global_norm"],
      "without clipping the IRNN's running loss peaks over 10x higher than with clipping",
      unclipped=peak["none"], clipped=peak["global_norm"])
claim(abs(irnn_runs["global_norm"]["loss"][-1] - toy.ADDING_BASELINE_MSE) < 0.05,
      "the clipped IRNN ends within 0.05 of the baseline loss",
      clipped=irnn_runs["global_norm"]["loss"][-1], baseline=toy.ADDING_BASELINE_MSE)

# %% [markdown]
# Without clipping the loss blew up by orders of magnitude in the first epoch
# (checked above) before it came back down; with the gradient's norm clipped
# the same run stayed near the baseline loss. Notebook 03 trains the IRNN on
# the adding problem next to the tanh RNN, the LSTM and the GRU.
#
# ## Takeaways
#
# - Going back one step multiplies the gradient by the recurrent Jacobian;
#   over many steps that product **vanishes** or **explodes** geometrically.
#   The measured factors above are this run's numbers.
# - For a linear RNN with $U$ = $\rho$ times an orthogonal matrix the factor
#   is exactly $\rho$ (checked by the sweep); $\tanh$ can only shrink it, and
#   saturated units shrink it a lot.
# - A ReLU recurrence with an identity recurrent matrix (IRNN) starts with a
#   factor near 1 (checked), but nothing bounds it: without clipping its loss
#   exploded (checked). Clip when you use ReLU recurrences.
# - At initialisation every default-initialised cell forgets fast (checked above). After training
#   on a task that needs memory, the GRU learned it and its factor rose
#   (checked above). A high factor alone is no proof of memory; notebook 03
#   measures what each cell learns and plots its gates.
# - Exploding gradients turned the loss into NaN within the first epoch (the
#   batch is printed above); clipping the gradient (by global norm or by
#   value) kept the same run finite, and in this run's 6 epochs the clipped
#   runs ended at the baseline loss (checked above): clipping fixes the
#   symptom; learning takes longer (the results page's full profile, 20 epochs,
#   ends at 0.080 and 0.079).
# - Reproduce from the command line: `python -m rnn_keras run gradient-flow --profile quick`.
#
# ## Exercises
#
# 1. Derive the one-step factor for the linear RNN: show that
#    $\partial h_t / \partial h_{t-1} = U^\top$ and check the sweep's 0.9, 1.0,
#    1.1 rows by computing the norm of $U^k$ for the orthogonal $U$ times
#    $\rho$ with NumPy.
# 2. Train the clipped SimpleRNN for 20 epochs with Adam instead of SGD
#    (`bptt.clipped_optimizer("adam", ...)`): does it leave the baseline?
# 3. Plot the LSTM's gradient norms after training on a log scale and fit
#    two rates, one for the last 5 steps and one for the rest. How different
#    are they?
# 4. Set the LSTM's forget-gate bias to 0 (`unit_forget_bias=False` in
#    `keras.layers.LSTM`) and measure the initial factor again.
# 5. Train the IRNN without clipping at SGD 0.1 instead of 0.01
#    (`gradient_flow.clipping_runs(cell="irnn", learning_rate=0.1)`): does the
#    loss come back down?
