"""Train-step and predict time of each from-scratch cell against Keras's fused layer.

Both implementations run in the same process on the same batch, so the
ratio is meaningful on any machine. The default is one IMDB-shaped batch;
``--grid`` adds several widths and lengths. Prints one JSON line: a row per
(cell, units, timesteps) with milliseconds per step and the scratch/fused
ratio for training and for prediction.

    python benchmarks/cell_speed.py                     # IMDB-shaped batch
    python benchmarks/cell_speed.py --grid              # units 32/128/256 x length 50/200
    python benchmarks/cell_speed.py --batch 32 --timesteps 50 --units 128
    KERAS_BACKEND=jax python benchmarks/cell_speed.py --grid
"""

import argparse
import json
import platform

import keras
import numpy as np

from rnn_keras import models
from rnn_keras.timing import predict_seconds
from rnn_keras.timing import train_step_seconds

GRID_UNITS = (32, 128, 256)
GRID_TIMESTEPS = (50, 200)


def measure(cell, units, timesteps, batch, vocab, embedding, repeats):
    """One row: train and predict ms of both implementations, and their ratios."""
    rng = np.random.default_rng(0)
    x = rng.integers(1, vocab, size=(batch, timesteps)).astype("int32")
    y = rng.integers(0, 2, size=(batch, 1)).astype("float32")
    row = {"cell": cell, "units": units, "timesteps": timesteps}
    for implementation in ("fused", "scratch"):
        keras.utils.set_random_seed(0)
        model = models.many_to_one(1, vocab_size=vocab, embedding_dim=embedding, cell=cell,
                                   units=units, implementation=implementation)
        train = train_step_seconds(model, x, y, repeats=repeats,
                                   loss=keras.losses.BinaryCrossentropy(from_logits=True))
        row[f"{implementation}_train_ms"] = round(1000 * train, 1)
        row[f"{implementation}_predict_ms"] = round(1000 * predict_seconds(model, x, repeats), 1)
    for kind in ("train", "predict"):
        row[f"{kind}_scratch_over_fused"] = round(
            row[f"scratch_{kind}_ms"] / row[f"fused_{kind}_ms"], 2)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--timesteps", type=int, default=200)
    parser.add_argument("--vocab", type=int, default=20000)
    parser.add_argument("--embedding", type=int, default=128)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--cells", default="simple,lstm,gru")
    parser.add_argument("--grid", action="store_true",
                        help=f"units {GRID_UNITS} x timesteps {GRID_TIMESTEPS} as well")
    args = parser.parse_args()

    shapes = [(args.units, args.timesteps)]
    if args.grid:
        shapes += [(u, t) for u in GRID_UNITS for t in GRID_TIMESTEPS
                   if (u, t) != (args.units, args.timesteps)]
    rows = [measure(cell, units, timesteps, args.batch, args.vocab, args.embedding, args.repeats)
            for units, timesteps in shapes for cell in args.cells.split(",")]
    train = [r["train_scratch_over_fused"] for r in rows]
    predict = [r["predict_scratch_over_fused"] for r in rows]
    print(json.dumps({
        "benchmark": "cell_speed",
        "backend": keras.backend.backend(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "batch": args.batch,
        "train_ratio_median": float(np.median(train)),
        "predict_ratio_median": float(np.median(predict)),
        "rows": rows,
    }))


if __name__ == "__main__":
    main()
