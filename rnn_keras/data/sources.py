"""Where data sets come from: a local copy, else the public archive, else a clear error.

Every loader follows the same three steps (docs/design.md):

1. a local copy in the data directory (``RNN_KERAS_DATA_DIR`` or an explicit
   ``data_dir``): the extracted folder, or the archive file, checked by
   sha256 when it is a published archive;
2. otherwise the public archive, downloaded with ``urllib`` into the cache
   (``RNN_KERAS_CACHE_DIR``, default ``~/.cache/rnn_keras``), checked by
   sha256, with a timeout on the request itself (no process-wide setting);
3. otherwise :class:`DataNotFoundError`, naming the variable, the file
   expected and the URL.

``RNN_KERAS_OFFLINE=1`` turns step 2 off everywhere (the test suite sets it,
so no test and no notebook under test waits on a network that is not there).

A file whose checksum does not match raises :class:`DataCorruptError`; the
user's own files are never deleted, a download that fails its check is.
"""

import dataclasses
import hashlib
import http.client
import os
import pathlib
import shutil
import urllib.request

from rnn_keras import _files
from rnn_keras import config
from rnn_keras.data.errors import DataCorruptError
from rnn_keras.data.errors import DataNotFoundError

# The environment is read in one place, rnn_keras.config; these names stay for callers.
CACHE_ENV = config.CACHE_ENV
OFFLINE_ENV = config.OFFLINE_ENV
offline = config.offline
cache_dir = config.cache_dir


@dataclasses.dataclass(frozen=True)
class Archive:
    """A published data archive.

    Attributes:
        name: human-readable name, for messages.
        filename: the archive's usual file name.
        url: where it is published.
        sha256: its published checksum.
        folder: the folder the archive extracts to (a local copy may be this
            folder, already extracted).
        alternates: other accepted local files, ``{file name: sha256}`` (for
            example a subset repacked with the same layout).
        size: the archive's size in bytes, checked where no sha256 is
            published (``sha256=None``); the loader then checks the content.
    """

    name: str
    filename: str
    url: str
    sha256: str
    folder: str
    alternates: tuple = ()
    size: int = None

    def accepted_files(self):
        return ((self.filename, self.sha256),) + tuple(self.alternates)


def sha256_of(path, chunk_size=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path, expected_sha256, archive):
    """Raises :class:`DataCorruptError` unless ``path`` has the expected checksum
    (or, for an archive published without one, the expected size)."""
    if expected_sha256 is None:
        size = pathlib.Path(path).stat().st_size
        if archive.size is not None and size != archive.size:
            raise DataCorruptError(
                f"{archive.name}: the file {str(path)!r} has {size} bytes, expected "
                f"{archive.size}: it is incomplete or another file. Replace it with a fresh "
                f"copy of {archive.url}.")
        return path
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise DataCorruptError(
            f"{archive.name}: the file {str(path)!r} is corrupt or incomplete (sha256 "
            f"{actual[:12]}..., expected {expected_sha256[:12]}...). Replace it with a "
            f"fresh copy of {archive.url}."
        )
    return path


def find_local(archive, data_dir):
    """The local copy in ``data_dir``: the extracted folder or a checked archive file."""
    if data_dir is None:
        return None
    data_dir = pathlib.Path(data_dir)
    for candidate in (data_dir / archive.folder, data_dir / archive.folder / archive.folder):
        if candidate.is_dir():
            return candidate
    for filename, sha256 in archive.accepted_files():
        path = data_dir / filename
        if path.is_file():
            return verify(path, sha256, archive)
    return None


def has_local_copy(archive, data_dir=None):
    """Whether ``data_dir`` (default ``$RNN_KERAS_DATA_DIR``) holds a copy of ``archive``.

    A cheap look for the folder or the file, without checking the hash (the
    loader checks it): for deciding whether an optional step, a test or a
    notebook can run here without the network.
    """
    data_dir = config.get_data_dir(data_dir)
    if data_dir is None:
        return False
    data_dir = pathlib.Path(data_dir)
    names = [archive.folder, *(f for f, _ in archive.accepted_files())]
    return any((data_dir / name).exists() or (data_dir / archive.folder / name).exists()
               for name in names)


def run_bounded(code, timeout, archive, what, total_factor=20):
    """Runs a download (Python ``code``, given ``timeout`` as ``sys.argv[1]``) in a child process.

    For code that has no timeout of its own (TensorFlow Datasets): the child
    may set a socket timeout for itself, the user's process keeps its own, and
    the whole run is stopped after ``total_factor * timeout`` seconds.

    Raises:
        DataNotFoundError: the child failed or ran out of time (its last
            error line is quoted).
    """
    import subprocess
    import sys

    limit = total_factor * timeout
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(timeout)], capture_output=True,
                              text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        raise DataNotFoundError(missing_message(
            archive, reason=f"{what}: no result after {limit:.0f} s")) from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise DataNotFoundError(missing_message(archive, reason=f"{what} failed: {last}"))


def download(archive, timeout=60, data_dir=None):
    """Downloads the archive into the cache (checked by sha256) and returns its path.

    Raises :class:`DataNotFoundError` when the download fails (no network,
    timeout) and :class:`DataCorruptError` when the downloaded file fails its
    check (the bad file is removed).
    """
    if offline():
        raise DataNotFoundError(missing_message(
            archive, data_dir, reason=f"downloads disabled by {OFFLINE_ENV}=1"))
    target_dir = cache_dir() / "downloads"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / archive.filename
    if target.is_file():
        try:
            return verify(target, archive.sha256, archive)
        except DataCorruptError:
            target.unlink(missing_ok=True)  # our own cache: fetch it again
    # A partial file of this download's own (two processes fetching the same
    # archive never write into, or delete, each other's file), checked before
    # it takes the final name: a bad download never lands in the cache.
    partial = _files.temporary_sibling(target, suffix=".partial")
    try:
        # The timeout bounds every wait of this request's socket (connect and
        # each read), not the process's default.
        with urllib.request.urlopen(archive.url, timeout=timeout) as response, \
                open(partial, "wb") as out:
            shutil.copyfileobj(response, out, length=1 << 20)
        verify(partial, archive.sha256, archive)
    except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, HTTP errors
        partial.unlink(missing_ok=True)
        raise DataNotFoundError(missing_message(archive, data_dir,
                                                reason=f"download failed: {error}")) from error
    except DataCorruptError:
        partial.unlink(missing_ok=True)
        raise DataCorruptError(
            f"{archive.name}: the file downloaded from {archive.url} is corrupt or "
            "incomplete (its sha256 or size does not match the published one); it was "
            "removed and nothing was cached. Try again, or put a checked copy in the "
            f"folder named by {config.DATA_DIR_ENV}.") from None
    os.replace(partial, target)
    return target


def missing_message(archive, data_dir=None, reason=""):
    """What is missing, where it was looked for, and the two ways to fix it."""
    names = " or ".join([f"{archive.folder}/"] + [f for f, _ in archive.accepted_files()])
    where = (f"the data directory {data_dir}" if data_dir is not None
             else f"a data directory ({config.DATA_DIR_ENV} is not set)")
    return (
        f"{archive.name} not found: no {names} in {where}. Put one of them in the folder "
        f"named by {config.DATA_DIR_ENV} (or --data-dir), or let it download from "
        f"{archive.url}" + (f" ({reason})" if reason else "") + "."
    )


def resolve(archive, data_dir=None, allow_download=True, timeout=60):
    """Returns the path of a local copy (folder or archive file) of ``archive``.

    Args:
        archive: an :class:`Archive`.
        data_dir: folder with local copies; default ``$RNN_KERAS_DATA_DIR``.
        allow_download: fall back to the public URL when no local copy exists.
        timeout: seconds the network may stay silent before the download fails.
    """
    data_dir = config.get_data_dir(data_dir)
    local = find_local(archive, data_dir)
    if local is not None:
        return local
    if not allow_download:
        raise DataNotFoundError(missing_message(archive, data_dir, reason="downloads disabled"))
    return download(archive, timeout=timeout, data_dir=data_dir)
