"""COCO captions in their standard format: ``annotations/captions_<split>.json`` + images.

Reads a COCO-style folder (``annotations/captions_val2017.json`` and
``val2017/*.jpg``), or a ``.tgz``/``.tar``/``.zip`` archive with that layout
in place (no extraction), into images and their reference captions, ready
for :func:`rnn_keras.models.image_captioner`.

Where it looks, in the data directory (``RNN_KERAS_DATA_DIR`` or
``data_dir``): ``coco/``, ``coco_mini/`` or the directory itself holding
``annotations/``; else ``coco_mini.tgz`` (a 159-image test subset, checked
by sha256). The full COCO 2017 set (18 GB of images) is not downloaded at
run time: a missing copy raises a :class:`DataNotFoundError` that names the
official URLs. A malformed annotation file raises a
:class:`DataCorruptError` naming the file and the problem.
"""

import io
import json
import pathlib
import tarfile
import zipfile

import numpy as np

from rnn_keras import config
from rnn_keras.data import sources
from rnn_keras.data.errors import DataCorruptError
from rnn_keras.data.errors import DataNotFoundError

MINI = sources.Archive(
    name="COCO captions (159-image subset)", filename="coco_mini.tgz",
    url="http://images.cocodataset.org/annotations/annotations_trainval2017.zip",
    sha256="d767d3d66539baf43bbcd86e0ed2e24114995ac92699e27ede279799b38f3bfc",
    folder="coco_mini")
OFFICIAL = ("http://images.cocodataset.org/annotations/annotations_trainval2017.zip and "
            "http://images.cocodataset.org/zips/val2017.zip (or train2017.zip)")
FOLDERS = ("coco", "coco_mini")


class _Source:
    """A context manager that closes what it opened (an archive; a folder opens nothing)."""

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class _Folder(_Source):
    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.name = str(self.root)

    def read(self, relative):
        path = self.root / relative
        if not path.is_file():
            raise FileNotFoundError(relative)
        return path.read_bytes()


class _Archive(_Source):
    """Members of a tar or zip archive by their path below the COCO root."""

    def __init__(self, path):
        self.name = str(path)
        try:
            if zipfile.is_zipfile(path):
                self._zip = zipfile.ZipFile(path)
                names = self._zip.namelist()
                self._tar = None
            else:
                self._tar = tarfile.open(path)
                names = self._tar.getnames()
                self._zip = None
        except (tarfile.TarError, OSError, EOFError) as error:
            raise DataCorruptError(f"{path} cannot be opened as a tar or zip archive "
                                   f"({error}); the file is damaged: copy it again.") from None
        anchors = [n[:-len("annotations/")] for n in names if n.endswith("annotations/")]
        anchors += [n.split("annotations/")[0] for n in names if "annotations/" in n]
        self.prefix = min(anchors, key=len) if anchors else ""

    def close(self):
        for handle in (self._zip, self._tar):
            if handle is not None:
                handle.close()

    def read(self, relative):
        name = self.prefix + relative
        try:
            if self._zip is not None:
                return self._zip.read(name)
            member = self._tar.extractfile(name)
        except KeyError:
            raise FileNotFoundError(relative) from None
        if member is None:
            raise FileNotFoundError(relative)
        return member.read()


def find(data_dir=None):
    """The local COCO copy: a folder or an archive reader (close it, or use ``with``)."""
    data_dir = config.get_data_dir(data_dir)
    if data_dir is not None:
        data_dir = pathlib.Path(data_dir)
        for folder in (*(data_dir / f for f in FOLDERS), data_dir):
            if (folder / "annotations").is_dir():
                return _Folder(folder)
        archive = data_dir / MINI.filename
        if archive.is_file():
            return _Archive(sources.verify(archive, MINI.sha256, MINI))
    where = f"the data directory {data_dir}" if data_dir else (
        f"a data directory ({config.DATA_DIR_ENV} is not set)")
    raise DataNotFoundError(
        f"COCO captions not found: no coco/ or coco_mini/ folder with annotations/, and no "
        f"{MINI.filename}, in {where}. Put a COCO-format folder there (annotations/"
        f"captions_val2017.json + val2017/), downloaded from {OFFICIAL}.")


def available(data_dir=None):
    """Whether a local COCO copy exists (nothing is downloaded): for optional steps."""
    try:
        with find(data_dir):
            return True
    except DataNotFoundError:
        return False


def parse_annotations(data, name="captions.json"):
    """``{image_id: (file_name, [captions])}`` from a COCO captions JSON document."""
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        raise DataCorruptError(f"{name} is not valid JSON (line {error.lineno}, column "
                               f"{error.colno}: {error.msg}); the file is damaged.") from None
    if not isinstance(document, dict) or not isinstance(document.get("images"), list) \
            or not isinstance(document.get("annotations"), list):
        raise DataCorruptError(f"{name} lacks the COCO captions lists 'images' and "
                               "'annotations'; is it a captions_*.json file?")
    images = {}
    for k, entry in enumerate(document["images"]):
        try:
            images[entry["id"]] = (str(entry["file_name"]), [])
        except (KeyError, TypeError):
            raise DataCorruptError(f"{name}: images[{k}] needs 'id' and 'file_name', got "
                                   f"{entry!r}.") from None
    for k, entry in enumerate(document["annotations"]):
        try:
            image_id, caption = entry["image_id"], entry["caption"]
        except (KeyError, TypeError):
            raise DataCorruptError(f"{name}: annotations[{k}] needs 'image_id' and 'caption', "
                                   f"got {entry!r}.") from None
        if image_id not in images:
            raise DataCorruptError(f"{name}: annotations[{k}] refers to image {image_id}, "
                                   "which is not in 'images'.")
        images[image_id][1].append(" ".join(str(caption).split()))
    return images


def load(split="val2017", data_dir=None, image_size=(64, 64), grayscale=True, limit=None):
    """Images and captions of one split.

    Args:
        split: ``"val2017"``, ``"train2017"`` (the folder and file suffix).
        data_dir: where the COCO copy lives (default ``RNN_KERAS_DATA_DIR``).
        image_size: ``(height, width)`` the images are resized to.
        grayscale: one channel (like the scenes) instead of three.
        limit: at most this many images (in id order).

    Returns:
        A dict: ``images`` float32 ``(n, h, w, 1 or 3)`` in [0, 1],
        ``captions`` (a list of reference captions per image), ``ids``,
        ``files``.
    """
    with find(data_dir) as source:
        return _load(source, split, image_size, grayscale, limit)


def _load(source, split, image_size, grayscale, limit):
    from PIL import Image

    name = f"annotations/captions_{split}.json"
    try:
        records = parse_annotations(source.read(name), f"{source.name}: {name}")
    except FileNotFoundError:
        raise DataNotFoundError(f"{source.name} has no {name}; splits are named like "
                                "'val2017' or 'train2017'.") from None
    ids = sorted(records)[:limit]
    images, captions, files = [], [], []
    for image_id in ids:
        file_name, texts = records[image_id]
        try:
            raw = source.read(f"{split}/{file_name}")
            image = Image.open(io.BytesIO(raw)).convert("L" if grayscale else "RGB")
        except FileNotFoundError:
            raise DataNotFoundError(f"{source.name} lacks {split}/{file_name}, listed in "
                                    f"{name}; copy the image folder too.") from None
        except OSError as error:
            raise DataCorruptError(f"{source.name}: {split}/{file_name} is not a readable "
                                   f"image ({error}).") from None
        image = image.resize(tuple(image_size)[::-1], Image.BILINEAR)
        array = np.asarray(image, "float32") / 255.0
        images.append(array[..., None] if grayscale else array)
        captions.append(texts)
        files.append(file_name)
    return {"images": np.stack(images) if images else np.zeros((0, *image_size, 1), "float32"),
            "captions": captions, "ids": ids, "files": files}
