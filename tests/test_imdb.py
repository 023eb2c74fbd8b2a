"""The IMDB loader and the data-source rules, on tiny fixtures written here."""

import hashlib
import io
import tarfile

import numpy as np
import pytest

from rnn_keras.data import DataCorruptError, DataNotFoundError, imdb, sources

REVIEWS = {
    ("train", "pos", 1, 9): "A wonderful film.<br /><br />Loved it!",
    ("train", "pos", 2, 8): "Great acting, great story.",
    ("train", "neg", 3, 1): "Terrible. I didn't like it at all?",
    ("train", "neg", 4, 2): "Boring <i>and</i> too long.",
    ("test", "pos", 5, 10): "Best movie of the year.",
    ("test", "neg", 6, 3): "Awful script, awful cast.",
}


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(sources.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv("RNN_KERAS_DATA_DIR", raising=False)


def write_folder(root):
    for (split, polarity, review_id, rating), text in REVIEWS.items():
        folder = root / "aclImdb" / split / polarity
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{review_id}_{rating}.txt").write_text(text)
    (root / "aclImdb" / "README").write_text("not a review")
    return root


def write_archive(path):
    with tarfile.open(path, "w:gz") as tar:
        for (split, polarity, review_id, rating), text in REVIEWS.items():
            data = text.encode()
            info = tarfile.TarInfo(f"aclImdb/{split}/{polarity}/{review_id}_{rating}.txt")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_reads_an_extracted_folder(tmp_path):
    data_dir = write_folder(tmp_path / "data")
    reviews = imdb.load_reviews(data_dir=data_dir, allow_download=False)
    assert len(reviews["train"]) == 4 and len(reviews["test"]) == 2
    train = reviews["train"]
    # Sorted by polarity then id; labels from the folder, ratings from the name.
    assert list(train.ids) == ["neg/3", "neg/4", "pos/1", "pos/2"]
    assert list(train.labels) == [0, 0, 1, 1]
    assert list(train.ratings) == [1, 2, 9, 8]
    assert train.texts[2].startswith("A wonderful film.")


def test_reads_an_archive_in_place_when_its_hash_matches(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    archive = write_archive(data_dir / "aclImdb_v1.tar.gz")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(imdb, "ARCHIVE", imdb.ARCHIVE.__class__(
        **{**imdb.ARCHIVE.__dict__, "sha256": digest}))
    reviews = imdb.load_reviews(data_dir=data_dir, allow_download=False)
    assert list(reviews["test"].labels) == [0, 1]
    assert sorted(p.name for p in data_dir.iterdir()) == ["aclImdb_v1.tar.gz"]  # nothing extracted


def test_archive_with_wrong_hash_is_a_clear_error_and_leaves_nothing(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    write_archive(data_dir / "aclImdb_v1.tar.gz")  # not the published file
    with pytest.raises(DataCorruptError) as error:
        imdb.load_reviews(data_dir=data_dir)
    message = str(error.value)
    assert "aclImdb_v1.tar.gz" in message and "corrupt or incomplete" in message
    assert imdb.ARCHIVE.url in message
    assert sorted(p.name for p in data_dir.iterdir()) == ["aclImdb_v1.tar.gz"]  # user's file kept
    assert not (tmp_path / "cache").exists()


def test_missing_data_names_the_variable_the_files_and_the_url(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("RNN_KERAS_DATA_DIR", str(empty))
    with pytest.raises(DataNotFoundError) as error:
        imdb.load_reviews(allow_download=False)
    message = str(error.value)
    assert f"the data directory {empty}" in message and "RNN_KERAS_DATA_DIR" in message
    assert "aclImdb_v1.tar.gz" in message and "aclImdb/" in message
    assert imdb.ARCHIVE.url in message


@pytest.fixture
def http_server():
    """A server on 127.0.0.1: ``/file/NAME`` serves ``files[NAME]``, ``/hang`` never answers."""
    import http.server
    import threading

    files, release = {}, threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/hang":
                release.wait(10)
                return
            payload = files.get(self.path.removeprefix("/file/"))
            if payload is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", files
    release.set()
    server.shutdown()
    server.server_close()


def _archive(url, payload=b"", name="tiny.tar.gz"):
    return sources.Archive(name="tiny", filename=name, url=url, folder="aclImdb",
                           sha256=hashlib.sha256(payload).hexdigest())


@pytest.mark.loopback
def test_failed_download_is_a_clear_error_and_cleans_up(tmp_path, downloads_allowed,
                                                        http_server):
    base, _ = http_server
    archive = _archive(f"{base}/file/missing.tar.gz")
    with pytest.raises(DataNotFoundError, match="download failed: HTTP Error 404") as error:
        sources.resolve(archive, data_dir=None)
    assert archive.url in str(error.value)
    assert isinstance(error.value.__cause__, OSError)  # the cause is kept
    assert not list((tmp_path / "cache" / "downloads").iterdir())


@pytest.mark.loopback
def test_a_silent_server_times_out_without_touching_the_process_timeout(
        tmp_path, downloads_allowed, http_server):
    import socket
    import time

    base, _ = http_server
    start = time.monotonic()
    with pytest.raises(DataNotFoundError, match="download failed: .*timed out"):
        sources.download(_archive(f"{base}/hang"), timeout=0.5)
    assert time.monotonic() - start < 5
    assert socket.getdefaulttimeout() is None
    assert not list((tmp_path / "cache" / "downloads").iterdir())


@pytest.mark.loopback
def test_download_is_checked_and_a_bad_download_removed(tmp_path, downloads_allowed,
                                                        http_server):
    base, files = http_server
    good = write_archive(tmp_path / "good.tar.gz")
    files["tiny.tar.gz"] = good.read_bytes()
    archive = _archive(f"{base}/file/tiny.tar.gz", good.read_bytes())
    path = sources.resolve(archive, data_dir=None)
    assert imdb.read_reviews(path)["train"].labels.tolist() == [0, 0, 1, 1]
    path.unlink()
    files["tiny.tar.gz"] = b"truncated"
    with pytest.raises(DataCorruptError, match="corrupt or incomplete"):
        sources.resolve(archive, data_dir=None)
    assert not list((tmp_path / "cache" / "downloads").iterdir())


@pytest.mark.loopback
def test_a_failed_download_leaves_another_downloads_partial_file_alone(
        tmp_path, downloads_allowed, http_server):
    """Regression: every download wrote through one fixed ``NAME.partial`` and a
    failing one deleted it, under the feet of another process fetching the same file."""
    base, files = http_server
    downloads = tmp_path / "cache" / "downloads"
    downloads.mkdir(parents=True)
    other = downloads / "tiny.tar.gz.partial"  # the name every download used to share
    other.write_bytes(b"another process's download, half done")
    files["tiny.tar.gz"] = b"truncated"
    with pytest.raises(DataCorruptError, match="downloaded from .* corrupt or incomplete"):
        sources.download(_archive(f"{base}/file/tiny.tar.gz", b"the real bytes"))
    assert sorted(p.name for p in downloads.iterdir()) == ["tiny.tar.gz.partial"]
    assert other.read_bytes() == b"another process's download, half done"


@pytest.mark.loopback
def test_parallel_downloads_of_one_archive_both_end_with_the_checked_file(
        tmp_path, downloads_allowed, http_server):
    from concurrent.futures import ThreadPoolExecutor

    base, files = http_server
    payload = bytes(range(256)) * 4000  # 1 MB: the two writes overlap
    files["tiny.tar.gz"] = payload
    archive = _archive(f"{base}/file/tiny.tar.gz", payload)
    with ThreadPoolExecutor(4) as pool:
        paths = list(pool.map(lambda _: sources.download(archive), range(4)))
    assert all(p.read_bytes() == payload for p in paths)
    assert [p.name for p in (tmp_path / "cache" / "downloads").iterdir()] == ["tiny.tar.gz"]


def test_offline_switch_refuses_before_touching_the_network(monkeypatch):
    import urllib.request

    def must_not_run(*args, **kwargs):
        raise AssertionError("urlopen was called")

    monkeypatch.setattr(urllib.request, "urlopen", must_not_run)
    monkeypatch.setenv(sources.OFFLINE_ENV, "1")
    with pytest.raises(DataNotFoundError, match="downloads disabled by RNN_KERAS_OFFLINE=1"):
        imdb.load_reviews(data_dir=None)


def test_unreadable_archive_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.tgz"
    bad.write_bytes(b"this is not gzip")
    with pytest.raises(DataCorruptError, match="cannot read .* as a tar archive"):
        imdb.read_reviews(bad)


def test_archive_without_reviews_is_a_clear_error(tmp_path):
    folder = tmp_path / "aclImdb" / "train" / "pos"
    folder.mkdir(parents=True)
    with pytest.raises(DataCorruptError, match="no reviews found under aclImdb/"):
        imdb.read_reviews(tmp_path)


def test_tfds_source_with_mock_data():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=6):
        reviews = imdb.load_reviews(source="tfds")
    assert len(reviews["train"]) == 6 and len(reviews["test"]) == 6
    assert set(reviews["train"].labels) <= {0, 1}
    assert isinstance(reviews["train"].texts[0], str)


def test_bad_source_argument():
    with pytest.raises(ValueError, match="argument `source`: 'kaggle'"):
        imdb.load_reviews(source="kaggle")


@pytest.mark.parametrize("raw, tokens", [
    ("Great!<br /><br />Really", "great ! really"),
    ("I didn't LIKE it", "i didn't like it"),
    ("'quoted' words, 10/10?", "quoted words 10 10 ?"),
    ("<i>italic</i> text", "italic text"),
])
def test_standardization(raw, tokens):
    # TextVectorization splits the standardized text on whitespace.
    assert imdb.standardize_py(raw).split() == tokens.split()


def test_validation_is_carved_from_train_with_a_fixed_seed(tmp_path):
    reviews = imdb.load_reviews(data_dir=write_folder(tmp_path), allow_download=False)
    train, validation = imdb.split_train(reviews["train"], validation_fraction=0.25, seed=3)
    again, _ = imdb.split_train(reviews["train"], validation_fraction=0.25, seed=3)
    assert len(validation) == 1 and len(train) == 3
    assert not set(train.ids) & set(validation.ids)
    assert list(train.ids) == list(again.ids)
    assert not set(validation.ids) & set(reviews["test"].ids)


def test_token_dataset_right_pads_keeps_the_end_and_knows_its_length(tmp_path):
    reviews = imdb.load_reviews(data_dir=write_folder(tmp_path), allow_download=False)
    vectorizer = imdb.text_vectorizer(reviews["train"].texts, vocab_size=50)
    ids = imdb.token_ids(reviews["train"], vectorizer, max_length=3)
    assert [len(i) for i in ids] == [3, 3, 3, 3]
    vocab = vectorizer.get_vocabulary()
    assert [vocab[i] for i in ids[2]] == ["loved", "it", "!"]  # the last 3 tokens of review pos/1
    ds = imdb.to_dataset(reviews["train"], vectorizer, max_length=5, batch_size=2)
    batches = list(ds)
    assert int(ds.cardinality()) == len(batches)
    for x, y in batches:
        x = x.numpy()
        for row in x:  # right padding only
            real = np.flatnonzero(row)
            assert real.max() + 1 == len(real)


def test_load_datasets_gives_text_label_pairs(tmp_path):
    datasets = imdb.load_datasets(data_dir=write_folder(tmp_path), validation_fraction=0.25)
    assert {k: int(v.cardinality()) for k, v in datasets.items()} == {
        "train": 3, "validation": 1, "test": 2}
    text, label = next(iter(datasets["test"]))
    assert text.dtype.name == "string" and int(label) in (0, 1)


@pytest.mark.subprocess
def test_a_bounded_download_runs_in_a_child_and_reports_its_failure():
    """tfds has no timeout: its download runs in a child process, stopped after a limit."""
    import socket

    with pytest.raises(DataNotFoundError, match="toy download failed: ValueError: no network"):
        sources.run_bounded("raise ValueError('no network')", 1, imdb.ARCHIVE, what="toy download")
    with pytest.raises(DataNotFoundError, match=r"toy download: no result after 1 s"):
        sources.run_bounded("import time; time.sleep(30)", 0.5, imdb.ARCHIVE,
                            what="toy download", total_factor=2)
    sources.run_bounded("import sys; assert float(sys.argv[1]) == 7", 7, imdb.ARCHIVE, what="x")
    assert socket.getdefaulttimeout() is None  # nothing leaked into this process
