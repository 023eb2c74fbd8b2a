"""Plots shared by the notebooks and experiments (matplotlib)."""

import numpy as np


def _pyplot():
    # Imported lazily: matplotlib picks Agg on a machine without a display
    # and the inline backend in a notebook.
    import matplotlib.pyplot as plt

    return plt


def plot_histories(histories, metric="loss", log_scale=True):
    """One panel per run: training and validation ``metric`` against epoch.

    Args:
        histories: dict of name -> Keras ``History.history`` dict.
        metric: the key to plot (``val_`` + key is added when present).
        log_scale: logarithmic y axis.

    Returns:
        The matplotlib ``Figure``.
    """
    plt = _pyplot()
    names = list(histories)
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 2.8), squeeze=False)
    for ax, name in zip(axes[0], names):
        history = histories[name]
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], label="train")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], label="validation")
        ax.set_title(name)
        ax.set_xlabel("epoch")
        if log_scale:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(metric)
    axes[0][0].legend()
    fig.tight_layout()
    return fig


def plot_gradient_norms(norms_by_name, title="dL/dh_t by distance from the loss"):
    """Gradient norms against steps back from the last one, log scale.

    Args:
        norms_by_name: dict of label -> 1-D array of per-step norms in time
            order (as returned by `rnn_keras.bptt.state_gradient_norms`).
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for label, norms in norms_by_name.items():
        norms = np.asarray(norms)
        ax.semilogy(np.arange(len(norms))[::-1], norms, label=label)
    ax.set_xlabel("steps back from the last step (T - t)")
    ax.set_ylabel("||dL/dh_t||")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_gates(gates, names=None, units=None, title=None):
    """Heatmaps of gate activations over time for one sequence.

    Args:
        gates: dict from `rnn_keras.layers.record_gates` (arrays
            ``(batch, T, units)``); the first sequence is shown.
        names: which entries to show (default: all but ``candidate``).
        units: how many units to show (default: all).
    """
    plt = _pyplot()
    names = names or [n for n in gates if n != "candidate"]
    fig, axes = plt.subplots(len(names), 1, figsize=(7, 1.4 * len(names) + 0.6),
                             sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        values = np.asarray(gates[name])[0]
        if units is not None:
            values = values[:, :units]
        bounded = name not in ("hidden", "cell")
        image = ax.imshow(values.T, aspect="auto", cmap="viridis" if bounded else "RdBu",
                          vmin=0 if bounded else None, vmax=1 if bounded else None,
                          interpolation="nearest")
        ax.set_ylabel(name)
        fig.colorbar(image, ax=ax, pad=0.01)
    axes[-1, 0].set_xlabel("time step")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_attention(maps, titles=None, ncols=3, source_label="source token",
                   output_label="output token"):
    """Attention heatmaps: output tokens (rows) against source tokens (columns).

    Args:
        maps: a list of ``(source_tokens, output_tokens, weights)`` as
            returned by `rnn_keras.experiments.translation.attention_map`
            (``weights`` of shape ``(len(output_tokens), len(source_tokens))``).
        titles: optional title per map.
        ncols: panels per row.
        source_label, output_label: the axis titles (e.g. the languages).

    Returns:
        The matplotlib ``Figure``, with one colour bar for all panels. Each row of a panel sums to 1: where the
        decoder looked while writing that word.
    """
    plt = _pyplot()
    ncols = min(ncols, len(maps))
    nrows = -(-len(maps) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.4 * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(maps):
            ax.axis("off")
            continue
        source, output, weights = maps[k]
        image = ax.imshow(np.asarray(weights), cmap="Blues", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(source)), source, rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(len(output)), output, fontsize=8)
        ax.set_xlabel(source_label, fontsize=8)
        ax.set_ylabel(output_label, fontsize=8)
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
    fig.tight_layout()
    # One scale for every panel: weights are in [0, 1] and each row sums to 1.
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, pad=0.02,
                 label="attention weight")
    return fig


def plot_piano_roll(voices, split_at=None, title=None, step_seconds=None):
    """Four voices as a piano roll: pitch against 16th-note step, one colour per voice.

    Args:
        voices: ``(steps, 4)`` MIDI pitches, 0 = rest.
        split_at: draw a line where a seed ends and the continuation begins.
        title: the plot's title.
        step_seconds: label the x axis in seconds instead of steps.

    Returns:
        The matplotlib ``Figure``.
    """
    plt = _pyplot()
    voices = np.asarray(voices)
    fig, ax = plt.subplots(figsize=(9, 3))
    names = ("soprano", "alto", "tenor", "bass")
    scale = step_seconds or 1.0
    for v in range(voices.shape[1]):
        line = voices[:, v].astype("float64")
        line[line == 0] = np.nan
        ax.step(np.arange(len(line)) * scale, line, where="post", lw=2,
                label=names[v] if v < 4 else str(v))
    if split_at is not None:
        ax.axvline(split_at * scale, color="k", ls="--", lw=1)
        ax.text(split_at * scale, np.nanmax(np.where(voices > 0, voices, np.nan)) + 1,
                " generated", va="bottom", fontsize=8)
    ax.set_xlabel("seconds" if step_seconds else "step (16th note)")
    ax.set_ylabel("MIDI pitch")
    ax.legend(fontsize=7, ncol=4, loc="lower left")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_frame_rows(rows, titles=None, first_step=0, max_frames=10):
    """Frame strips, one row per clip or per model: predicted vs true, side by side.

    Args:
        rows: list of ``(frames, h, w[, 1])`` arrays in [0, 1].
        titles: a label per row (shown at its left).
        first_step: number of the first frame shown (for the column titles).
        max_frames: frames shown per row.

    Returns:
        The matplotlib ``Figure``.
    """
    plt = _pyplot()
    n = min(max_frames, max(len(r) for r in rows))
    fig, axes = plt.subplots(len(rows), n, figsize=(1.1 * n, 1.15 * len(rows) + 0.3),
                             squeeze=False)
    for i, frames in enumerate(rows):
        for j in range(n):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if j < len(frames):
                ax.imshow(np.asarray(frames[j]).squeeze(), cmap="gray", vmin=0, vmax=1)
            if i == 0:
                ax.set_title(f"t={first_step + j}", fontsize=7)
        if titles:
            axes[i, 0].set_ylabel(titles[i], fontsize=7)
    fig.tight_layout(pad=0.2)
    return fig


def animate_frames(clips, titles=None, interval=120):
    """Clips played side by side as an animated GIF, inline: no JavaScript, no ffmpeg.

    ``clips``: list of ``(frames, h, w[, 1])`` arrays of one length (values in
    [0, 1]). Returns an ``IPython.display.HTML`` object holding one ``<img>``
    whose source is the GIF itself (a data URI), so it plays in Jupyter, in the
    course site and in any HTML export, offline and with scripts off; its
    ``gif`` attribute holds the GIF's bytes. ``interval``: milliseconds per frame.
    """
    import base64
    import html as html_module
    import io

    from IPython.display import HTML
    from PIL import Image

    plt = _pyplot()
    clips = [np.asarray(c).squeeze(-1) if np.asarray(c).ndim == 4 else np.asarray(c)
             for c in clips]
    fig, axes = plt.subplots(1, len(clips), figsize=(1.6 * len(clips), 1.8), squeeze=False,
                             dpi=80)
    images = []
    for k, (ax, clip) in enumerate(zip(axes[0], clips)):
        images.append(ax.imshow(clip[0], cmap="gray", vmin=0, vmax=1))
        ax.set_xticks([])
        ax.set_yticks([])
        if titles:
            ax.set_title(titles[k], fontsize=8)
    fig.tight_layout(pad=0.2)
    frames = []
    for t in range(max(len(c) for c in clips)):
        for image, clip in zip(images, clips):
            image.set_data(clip[min(t, len(clip) - 1)])
        fig.canvas.draw()
        rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
        frames.append(Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE))
    plt.close(fig)
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:],
                   duration=int(interval), loop=0)
    gif = buffer.getvalue()
    alt = html_module.escape("animation: " + (", ".join(titles) if titles
                                             else f"{len(clips)} clips"))
    html = HTML(f'<img src="data:image/gif;base64,{base64.b64encode(gif).decode()}" '
                f'alt="{alt}">')
    html.gif = gif
    return html


def plot_frame_scores(scores, metrics=("mse", "ssim")):
    """Per-step curves of a rollout's scores: ``{name: {"mse": (steps,), "ssim": ...}}``."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for name, values in scores.items():
            steps = np.arange(1, len(values[metric]) + 1)
            ax.plot(steps, values[metric], marker="o", ms=3, label=name)
        ax.set_xlabel("predicted frame (steps after the context)")
        ax.set_ylabel(metric.upper())
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_captioned_images(images, captions, titles=None, ncols=4):
    """Images with a caption under each (e.g. generated vs reference)."""
    plt = _pyplot()
    n = len(images)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.0 * ncols, 3.3 * nrows), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(np.asarray(images[k]).squeeze(), cmap="gray", vmin=0, vmax=1)
        ax.set_title(titles[k] if titles else "", fontsize=8)
        ax.text(0.5, -0.04, "\n".join(_wrap(captions[k], 34)), transform=ax.transAxes,
                ha="center", va="top", fontsize=8)
    fig.tight_layout()
    return fig


def _wrap(text, width):
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line] if line else lines


def plot_attention_over_image(image, words, attention, ncols=6):
    """One panel per generated word: the image with that word's attention over the grid.

    ``attention``: ``(words, cells)`` weights of a square grid, upsampled to
    the image and drawn in red over it, on one scale for every panel (0 to
    the largest weight of any word; the colour bar gives it), so a peaked
    map and a flat one look different.
    """
    plt = _pyplot()
    image = np.asarray(image).squeeze()
    words = list(words)
    attention = np.asarray(attention)[:len(words)]
    side = int(round(np.sqrt(attention.shape[-1])))
    scale = image.shape[0] // side
    top = max(float(attention.max()), 1e-9)
    nrows = -(-len(words) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.9 * ncols, 2.1 * nrows), squeeze=False)
    heat_image = None
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k >= len(words):
            continue
        weights = attention[k].reshape(side, side)
        heat = np.kron(weights, np.ones((scale, scale)))
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        heat_image = ax.imshow(heat, cmap="Reds", alpha=0.55, vmin=0, vmax=top)
        ax.set_title(words[k], fontsize=9)
    fig.tight_layout()
    if heat_image is not None:
        fig.colorbar(heat_image, ax=axes.ravel().tolist(), shrink=0.8, pad=0.02,
                     label=f"attention weight (uniform: {1 / attention.shape[-1]:.3f})")
    return fig


# --- forecasting (notebook 09) -------------------------------------------------------

def plot_series(times, values, *, split=None, unit="", title=None, season=None,
                steps_per_day=None):
    """A series with its train/validation/test parts shaded; with ``season``, a second
    panel overlays every season (e.g. each week) of the training part (only: looking
    at the test period is a leak too) to show the pattern that repeats.

    ``split``: the slices of :func:`rnn_keras.data.series.chronological_split`.
    """
    plt = _pyplot()
    panels = 2 if season else 1
    fig, axes = plt.subplots(1, panels, figsize=(6.5 * panels, 2.8), squeeze=False)
    ax = axes[0][0]
    ax.plot(times, values, lw=0.7, color="black")
    if split:
        for (name, part), colour in zip(split.items(), ("none", "tab:orange", "tab:red")):
            if name != "train":
                ax.axvspan(times[part.start], times[part.stop - 1], color=colour, alpha=0.15,
                           label=name)
        ax.legend(loc="upper left", fontsize=8)
    ax.set_ylabel(unit)
    ax.set_title(title or "")
    ax.grid(alpha=0.3)
    ax.tick_params(axis="x", labelrotation=20)
    if season:
        ax = axes[0][1]
        seen = values[:split["train"].stop] if split else values
        whole = len(seen) // season * season
        seasons = np.asarray(seen[:whole]).reshape(-1, season)
        steps = np.arange(season) / (steps_per_day or 1)
        for row in seasons:
            ax.plot(steps, row, lw=0.6, alpha=0.5)
        ax.plot(steps, seasons.mean(axis=0), color="black", lw=1.5, label="mean")
        ax.set_xlabel("days into the season" if steps_per_day else "step of the season")
        ax.set_title(f"the {len(seasons)} seasons of {season} steps of the training part, "
                     "overlaid", fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_forecasts(times, forecasts, *, first=0, count=7, unit="", title=None):
    """The truth and each method's forecasts from ``count`` consecutive origins.

    ``forecasts``: name -> :class:`rnn_keras.forecasting.Forecasts` (the same
    origins); each origin's forecast is drawn as its own segment.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 3.2))
    reference = next(iter(forecasts.values()))
    rows = range(first, min(first + count, len(reference.origins)))
    horizon = reference.truth.shape[1]
    for i in rows:
        o = reference.origins[i]
        ax.plot(times[o:o + horizon], reference.truth[i], color="black", lw=1.4,
                label="truth" if i == first else None)
    for (name, f), colour in zip(forecasts.items(), plt.rcParams["axes.prop_cycle"].by_key()[
            "color"]):
        for i in rows:
            o = f.origins[i]
            ax.plot(times[o:o + horizon], f.predictions[i], color=colour, lw=0.9,
                    label=name if i == first else None)
    ax.set_ylabel(unit)
    ax.set_title(title or "forecasts from consecutive origins")
    ax.legend(fontsize=8, ncol=3)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_error_by_horizon(forecasts, unit="", step_label="steps ahead"):
    """MAE at each step ahead, one line per method."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3))
    for name, f in forecasts.items():
        ax.plot(np.arange(1, f.truth.shape[1] + 1), f.mae_by_horizon(), label=name)
    ax.set_xlabel(step_label)
    ax.set_ylabel(f"MAE ({unit})" if unit else "MAE")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_price_illusion(times, prices, forecast_prices, *, last=120, title=None):
    """The "prediction tracks the price" chart, and beside it the same forecast as what
    it is: a change from today, against the change that happened."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.2))
    t, p, f = times[-last:], prices[-last:], forecast_prices[-last:]
    axes[0].plot(t, p, color="black", lw=1.2, label="close")
    axes[0].plot(t, f, color="tab:red", lw=0.9, label="forecast for that day")
    axes[0].set_title(title or "the chart that looks like a good forecast")
    axes[0].set_ylabel("USD")
    axes[0].legend(fontsize=8)
    axes[0].grid(alpha=0.3)
    previous = prices[-last - 1:-1]
    axes[1].scatter(np.log(p / previous), np.log(f / previous), s=8)
    axes[1].axhline(0, color="grey", lw=0.6)
    axes[1].axvline(0, color="grey", lw=0.6)
    axes[1].set_xlabel("actual log return")
    axes[1].set_ylabel("forecast log return")
    axes[1].set_title("the same forecast as a change from the day before")
    axes[1].grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def plot_spectrograms(frames, titles=None, frame_seconds=0.02, ncols=3):
    """Log-mel spectrograms side by side: each ``(frames, bins)``, time across."""
    plt = _pyplot()
    ncols = min(ncols, len(frames))
    nrows = -(-len(frames) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.4 * nrows), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        if k >= len(frames):
            ax.axis("off")
            continue
        f = np.asarray(frames[k])
        ax.imshow(f.T, origin="lower", aspect="auto", cmap="magma",
                  extent=(0, len(f) * frame_seconds, 0, f.shape[1]))
        ax.set_title(titles[k] if titles else "", fontsize=9)
        ax.set_xlabel("seconds")
        ax.set_ylabel("mel band")
    fig.tight_layout()
    return fig


def plot_confusion(counts, labels=None, title=None):
    """A confusion matrix (rows: truth, columns: prediction), counts written in."""
    plt = _pyplot()
    counts = np.asarray(counts)
    labels = list(range(len(counts))) if labels is None else labels
    fig, ax = plt.subplots(figsize=(4.2, 3.8))
    ax.imshow(counts, cmap="Blues")
    for (i, j), n in np.ndenumerate(counts):
        if n:
            ax.text(j, i, str(n), ha="center", va="center", fontsize=7,
                    color="white" if n > counts.max() / 2 else "black")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "")
    fig.tight_layout()
    return fig


def plot_ctc_posteriors(frames, probabilities, *, frame_seconds=0.03, segments=None,
                        labels=None, decoded=None, rate=8000, blank=0, title=None):
    """CTC "spikes": the spectrogram, and under it each label's probability per frame.

    Each digit the greedy path emits is written above its first frame.

    Args:
        frames: the log-mel frames ``(frames, bins)`` the model saw.
        probabilities: softmax outputs ``(frames, classes)``; class ``blank`` is
            drawn grey, class d + 1 labelled d.
        frame_seconds: seconds between frames.
        segments: optional ``(n, 2)`` sample ranges of the true digits (shaded).
        labels, decoded: the reference and the decoded digits, for the title.
    """
    plt = _pyplot()
    probabilities = np.asarray(probabilities)
    t = np.arange(len(probabilities)) * frame_seconds
    fig, axes = plt.subplots(2, 1, figsize=(10, 4.2), sharex=True,
                             gridspec_kw={"height_ratios": [1.2, 1]})
    f = np.asarray(frames)
    axes[0].imshow(f.T, origin="lower", aspect="auto", cmap="magma",
                   extent=(0, len(f) * frame_seconds, 0, f.shape[1]))
    axes[0].set_ylabel("mel band")
    heading = title or ""
    if labels is not None:
        heading += f"  reference {''.join(map(str, labels))}"
    if decoded is not None:
        heading += f"  decoded {''.join(map(str, decoded))}"
    axes[0].set_title(heading.strip(), fontsize=10)
    axes[1].plot(t, probabilities[:, blank], color="lightgrey", lw=1, label="blank")
    colors = plt.get_cmap("tab10")
    best = probabilities.argmax(-1)
    for k in range(probabilities.shape[1]):
        if k == blank or probabilities[:, k].max() < 0.05:
            continue
        axes[1].plot(t, probabilities[:, k], color=colors((k - 1) % 10), lw=1.4)
        # Label the first frame of every run the greedy path gives to k.
        for frame in np.flatnonzero(best == k):
            if frame == 0 or best[frame - 1] != k:
                axes[1].text(t[frame], 1.03, str(k - 1), color=colors((k - 1) % 10),
                             ha="center", fontsize=9)
    if segments is not None:
        for start, end in np.asarray(segments) / rate:
            for ax in axes:
                ax.axvspan(start, end, color="tab:green", alpha=0.08)
    axes[1].set_ylim(0, 1.12)
    axes[1].set_ylabel("p(label | frame)")
    axes[1].set_xlabel("seconds (green: where each digit's recording lies)")
    axes[1].legend(loc="center right", fontsize=8)
    fig.tight_layout()
    return fig


def plot_loss_by_position(curves, references=None, unit="nats/char", title=None):
    """Loss at each position of a window (from :func:`charlm.loss_by_position`).

    Args:
        curves: dict of label -> ``(timesteps,)`` mean loss at each position.
        references: dict of label -> a constant loss drawn as a dashed line
            (a baseline).

    Returns:
        The matplotlib ``Figure``.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for label, curve in curves.items():
        ax.plot(np.arange(1, len(curve) + 1), curve, label=label)
    for k, (label, value) in enumerate((references or {}).items()):
        ax.axhline(value, linestyle="--", color=f"C{len(curves) + k}", label=label)
    ax.set_xlabel("position in the window (characters of it read)")
    ax.set_ylabel(f"loss ({unit})")
    ax.set_title(title or "loss at each position of a window")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
