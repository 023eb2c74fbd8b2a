"""Writing files so that a reader never sees half of one, and writers never share a name.

Every file the package writes that another process may read (metrics, saved
models, best weights, progress, vocabularies, caches, downloads) goes to a
temporary name of its own in the same folder, then is renamed over the final
name (``os.replace`` is atomic on one file system). The temporary name is
unique per writer (``tempfile.mkstemp``): two workers of a distributed run,
or two notebooks downloading the same archive, never write through the same
temporary file, and one's clean-up never deletes the other's file.
"""

import contextlib
import os
import pathlib
import tempfile


def temporary_sibling(path, suffix=None):
    """A new, empty, uniquely named file beside ``path``; returns its path.

    ``suffix`` (default: ``path``'s own suffixes, e.g. ``.weights.h5``) keeps
    writers that look at the extension (Keras's ``save``) content.
    """
    path = pathlib.Path(path)
    suffix = "".join(path.suffixes) if suffix is None else suffix
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    return pathlib.Path(name)


@contextlib.contextmanager
def replacing(path, suffix=None):
    """Yields a temporary path to write; renamed over ``path`` if the block succeeds.

    If the block raises, the temporary file is removed and ``path`` is left
    as it was (nothing already written is lost).

    >>> with replacing(out / "metrics.json") as tmp:      # doctest: +SKIP
    ...     tmp.write_text(text)
    """
    path = pathlib.Path(path)
    tmp = temporary_sibling(path, suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path, text, encoding="utf-8"):
    """``path.write_text(text)`` through a temporary file of this writer's own."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return pathlib.Path(path)
