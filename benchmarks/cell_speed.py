"""Training-step time of each from-scratch cell against Keras's fused layer.

Both run in the same process on the same batch, so the ratio is meaningful on
any machine. Prints one JSON line.

    python benchmarks/cell_speed.py                     # IMDB-shaped batch
    python benchmarks/cell_speed.py --batch 32 --timesteps 50 --units 128
    KERAS_BACKEND=jax python benchmarks/cell_speed.py
"""

import argparse
import json
import platform

import keras
import numpy as np

from rnn_keras import models
from rnn_keras.timing import train_step_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--timesteps", type=int, default=200)
    parser.add_argument("--vocab", type=int, default=20000)
    parser.add_argument("--embedding", type=int, default=128)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--cells", default="simple,lstm,gru")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.integers(1, args.vocab, size=(args.batch, args.timesteps)).astype("int32")
    y = rng.integers(0, 2, size=(args.batch, 1)).astype("float32")
    result = {
        "benchmark": "cell_speed",
        "backend": keras.backend.backend(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "batch": args.batch, "timesteps": args.timesteps, "units": args.units,
    }
    for cell in args.cells.split(","):
        seconds = {}
        for implementation in ("fused", "scratch"):
            keras.utils.set_random_seed(0)
            model = models.many_to_one(1, vocab_size=args.vocab, embedding_dim=args.embedding,
                                       cell=cell, units=args.units,
                                       implementation=implementation)
            seconds[implementation] = train_step_seconds(
                model, x, y, repeats=args.repeats,
                loss=keras.losses.BinaryCrossentropy(from_logits=True))
        result[f"{cell}_fused_ms"] = round(1000 * seconds["fused"], 1)
        result[f"{cell}_scratch_ms"] = round(1000 * seconds["scratch"], 1)
        result[f"{cell}_scratch_over_fused"] = round(seconds["scratch"] / seconds["fused"], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
