"""Captioning scenes made of real MNIST digits, with captions whose truth can be checked.

Each image (default 64×64, one channel) holds one to three digits at
different places and in two sizes; its caption comes from a small grammar
over the layout, reading the digits from left to right::

    a large 7
    a small 3 to the left of a large 0
    a large 1 to the left of a small 1 to the left of a small 8

The grammar is invertible: :func:`parse_caption` turns any caption back
into its ``(size, digit)`` list, so a generated caption can be checked word
by word against the layout, and every digit word of a caption belongs to
one digit box (for the attention-on-object measure).

Digit images come from :func:`rnn_keras.data.moving_mnist.load_digits`
(the MNIST test set in the data directory, its public mirror, or
scikit-learn's 8×8 digits asked for by name) and are split before scenes
are drawn: no digit image of a test scene appears in training.
"""

import re

import numpy as np

from rnn_keras.data import moving_mnist

SIZES = {"small": 16, "large": 28}
WORDS = ("a", "small", "large", "to", "the", "left", "of") + tuple(str(d) for d in range(10))
_PHRASE = re.compile(r"^a (small|large) (\d)$")
_JOIN = " to the left of "


def caption_for(layout):
    """The caption of a layout: ``[{"size", "digit", ...}]`` sorted left to right."""
    return _JOIN.join(f"a {item['size']} {item['digit']}" for item in layout)


def parse_caption(caption):
    """``[(size, digit), ...]`` from a caption; ``ValueError`` if it breaks the grammar."""
    phrases = caption.strip().split(_JOIN)
    out = []
    for phrase in phrases:
        match = _PHRASE.match(phrase.strip())
        if match is None:
            raise ValueError(f"Caption {caption!r} does not follow the grammar: "
                             f"{phrase!r} is not 'a small|large DIGIT'.")
        out.append((match.group(1), int(match.group(2))))
    return out


def _place(rng, sides, size, restarts=50, tries=100):
    """Top-left corners for boxes of ``sides``: no overlap, column centres 4+ pixels apart."""
    def fits(r, c, side, boxes):
        return all((r + side <= r2 or r2 + s2 <= r or c + side <= c2 or c2 + s2 <= c)
                   and abs((c + side / 2) - (c2 + s2 / 2)) >= 4 for r2, c2, s2 in boxes)

    for _ in range(restarts):
        boxes = []
        for side in sides:
            for _ in range(tries):
                r = int(rng.integers(0, size - side + 1))
                c = int(rng.integers(0, size - side + 1))
                if fits(r, c, side, boxes):
                    boxes.append((r, c, side))
                    break
            else:
                break
        if len(boxes) == len(sides):
            return boxes
    raise RuntimeError(f"Could not place {len(sides)} digits in a {size}x{size} image; "
                       "use a larger image or fewer digits.")


def generate(images, labels, n, *, size=64, max_digits=3, seed=0):
    """``n`` scenes drawn from ``images``/``labels`` (uint8 ``(m, h, w)``, ints).

    Returns a dict: ``images`` float32 ``(n, size, size, 1)`` in [0, 1];
    ``captions`` (list of str); ``layouts`` (per scene, the digits left to
    right: ``{"digit", "size", "box": (top, left, side), "image_id"}``).
    The same seed gives the same scenes.
    """
    if not 1 <= max_digits <= 3:
        raise ValueError(f"Expected 1 <= max_digits <= 3, got {max_digits!r}.")
    if size < 2 * SIZES["large"]:
        raise ValueError(f"Expected size >= {2 * SIZES['large']} (room for two large "
                         f"digits), got {size!r}.")
    rng = np.random.default_rng(seed)
    glyphs = {name: moving_mnist.resize_digits(images, side) for name, side in SIZES.items()}
    out = np.zeros((n, size, size), "float32")
    captions, layouts = [], []
    for i in range(n):
        count = int(rng.integers(1, max_digits + 1))
        names = [("small", "large")[int(rng.integers(0, 2))] for _ in range(count)]
        ids = rng.integers(0, len(images), size=count)
        boxes = _place(rng, [SIZES[s] for s in names], size)
        layout = []
        for name, image_id, (r, c, side) in zip(names, ids, boxes):
            window = out[i, r:r + side, c:c + side]
            np.maximum(window, glyphs[name][image_id], out=window)
            layout.append({"digit": int(labels[image_id]), "size": name,
                           "box": (r, c, side), "image_id": int(image_id)})
        layout.sort(key=lambda item: item["box"][1] + item["box"][2] / 2)
        layouts.append(layout)
        captions.append(caption_for(layout))
    return {"images": out[..., None], "captions": captions, "layouts": layouts}


def make_splits(n_train, n_valid, n_test, *, source="mnist", data_dir=None, size=64,
                max_digits=3, test_fraction=0.2, seed=0):
    """Train/validation/test scenes; test scenes use digit images no other split uses.

    ``image_id`` in each layout indexes the whole digit set, so the split
    can be checked.
    """
    images, labels = moving_mnist.load_digits(source, data_dir)
    train_index, test_index = moving_mnist.split_digits(len(images), test_fraction, seed)
    splits = {}
    for name, index, n, offset in (("train", train_index, n_train, 0),
                                   ("validation", train_index, n_valid, 1),
                                   ("test", test_index, n_test, 2)):
        scenes = generate(images[index], labels[index], n, size=size, max_digits=max_digits,
                          seed=seed + offset)
        for layout in scenes["layouts"]:
            for item in layout:
                item["image_id"] = int(index[item["image_id"]])
        splits[name] = scenes
    return splits


def digit_word_boxes(layout):
    """For each word position of the layout's caption, the box its digit word names (or None)."""
    boxes = []
    for k, item in enumerate(layout):
        if k:
            boxes += [None] * 4  # "to the left of"
        boxes += [None, None, item["box"]]  # "a", size, digit
    return boxes
