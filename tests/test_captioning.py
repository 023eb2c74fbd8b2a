"""Captioning: scene grammar, the digit split, COCO reader, captioner decoding.
(Reloading in a fresh process: tests/test_reload.py; the experiment end to end:
tests/test_cli.py.)"""

import dataclasses
import json
import tarfile

import keras
import numpy as np
import pytest

from rnn_keras import decoding
from rnn_keras import models
from rnn_keras.data import DataCorruptError
from rnn_keras.data import DataNotFoundError
from rnn_keras.data import coco_captions
from rnn_keras.data import scenes
from helpers import fake_digits
from rnn_keras.experiments import captioning as cap




# ---------------------------------------------------------------------------
# Scenes
# ---------------------------------------------------------------------------


def test_every_caption_parses_back_to_its_layout():
    images, labels = fake_digits()
    made = scenes.generate(images, labels, 300, seed=1)
    counts = set()
    for text, layout, image in zip(made["captions"], made["layouts"], made["images"]):
        assert scenes.parse_caption(text) == [(d["size"], d["digit"]) for d in layout]
        lefts = [d["box"][1] + d["box"][2] / 2 for d in layout]
        assert lefts == sorted(lefts)  # read from left to right
        for d in layout:
            top, left, side = d["box"]
            assert side == scenes.SIZES[d["size"]] and top + side <= 64 and left + side <= 64
            assert image[top:top + side, left:left + side].max() > 0.3  # the digit is drawn
        assert len(scenes.digit_word_boxes(layout)) == len(text.split())
        counts.add(len(layout))
    assert counts == {1, 2, 3}
    again = scenes.generate(images, labels, 300, seed=1)
    np.testing.assert_array_equal(made["images"], again["images"])
    assert made["captions"] == again["captions"]


def test_parse_caption_rejects_what_the_grammar_cannot_say():
    assert scenes.parse_caption("a small 3 to the left of a large 0") == [("small", 3),
                                                                          ("large", 0)]
    for bad in ("a huge 3", "a small three", "a small 3 and a large 4", ""):
        with pytest.raises(ValueError, match="grammar"):
            scenes.parse_caption(bad)


def test_test_scenes_use_digit_images_no_training_scene_uses(fake_mnist):
    splits = scenes.make_splits(200, 20, 50)
    ids = {name: {d["image_id"] for layout in s["layouts"] for d in layout}
           for name, s in splits.items()}
    assert ids["test"] and not ids["test"] & (ids["train"] | ids["validation"])


def test_trivial_captioners_are_picked_on_validation_and_score_what_they_say(fake_mnist):
    data = cap.prepare(profile="smoke")
    trivial = cap.trivial_baselines(data, pick_on="validation")
    valid = data.splits["validation"]
    n = len(valid["captions"])
    # the picked constant is the best of every candidate on the validation scenes
    best = max(cap.scores([c] * n, valid)["bleu_4"]
               for c in cap.constant_candidates())
    assert cap.scores([trivial["constant"]] * n, valid)["bleu_4"] == best
    assert len(cap.constant_candidates()) == 140
    # the layout oracle keeps every scene's count and sizes, and only its digit is wrong
    layouts = data.splits["test"]["layouts"]
    oracle = cap.layout_captions(layouts, trivial["layout_digit"])
    assert [[z for z, _ in scenes.parse_caption(c)] for c in oracle] == \
        [[item["size"] for item in layout] for layout in layouts]
    truth = [scenes.caption_for(layout) for layout in layouts]
    assert cap.digit_accuracy(truth, layouts) == 1.0
    share = np.mean([item["digit"] == trivial["layout_digit"] for layout in layouts
                     for item in layout])
    assert cap.digit_accuracy(oracle, layouts) == pytest.approx(share)


def test_digit_accuracy_counts_only_scenes_with_the_right_layout():
    layouts = [[{"size": "small", "digit": 3}, {"size": "large", "digit": 5}],
               [{"size": "large", "digit": 1}]]
    captions = ["a small 3 to the left of a large 4",  # layout right: 1 of 2 digits
                "a small 1"]                             # wrong size: not counted
    assert cap.digit_accuracy(captions, layouts) == 0.5
    assert cap.digit_accuracy(["not a caption", "a small 1"], layouts) is None
    assert cap.layout_accuracy(captions, layouts) == 0.5
    assert cap.layout_accuracy(["not a caption", "a large 7"], layouts) == 0.5


def test_encode_and_decode_round_trip():
    captions = ["a large 7", "a small 3 to the left of a large 0 to the left of a small 9"]
    inputs, targets, weights = cap.encode(captions)
    assert inputs.shape == targets.shape == (2, cap.MAX_WORDS + 1)
    assert inputs[0, 0] == cap.START and targets[0, 3] == cap.END
    np.testing.assert_array_equal(inputs[:, 1:][targets[:, :-1] != cap.END],
                                  targets[:, :-1][targets[:, :-1] != cap.END])
    assert weights.sum() == 3 + 1 + 17 + 1
    assert cap.decode(targets) == captions


def test_scores_and_attention_on_object():
    layout = [{"digit": 7, "size": "large", "box": (0, 0, 28)},
              {"digit": 1, "size": "small", "box": (40, 40, 16)}]
    text = "a large 7 to the left of a small 1"
    made = {"captions": [text], "layouts": [layout]}
    s = cap.scores([text], made)
    assert s["bleu_4"] == pytest.approx(1.0) and s["exact_match"] == 1.0
    attention = np.zeros((1, 10, 64))  # one row per word
    attention[0, 2, 1 * 8 + 1] = 1.0  # cell (1, 1): pixel (12, 12), inside the 7's box
    attention[0, 9, 6 * 8 + 6] = 1.0  # cell (6, 6): pixel (52, 52), inside the 1's box
    assert cap.attention_on_object([text], attention, [layout]) == 1.0
    attention[0, 9] = 0
    attention[0, 9, 0] = 1.0  # looks at the 7 while naming the 1
    assert cap.attention_on_object([text], attention, [layout]) == 0.5


# ---------------------------------------------------------------------------
# COCO format
# ---------------------------------------------------------------------------


def write_coco(root, document=None, image_size=(20, 30)):
    from PIL import Image

    (root / "annotations").mkdir(parents=True)
    (root / "val2017").mkdir()
    document = document or {
        "images": [{"id": 7, "file_name": "a.jpg"}, {"id": 3, "file_name": "b.jpg"}],
        "annotations": [{"image_id": 7, "caption": "A cat on a mat."},
                        {"image_id": 7, "caption": " a  cat "},
                        {"image_id": 3, "caption": "Two dogs."}]}
    (root / "annotations" / "captions_val2017.json").write_text(json.dumps(document))
    for name in ("a.jpg", "b.jpg"):
        Image.fromarray(np.full(image_size, 128, np.uint8)).save(root / "val2017" / name)
    return root


def test_coco_reader_on_a_folder_and_on_a_tar_archive(tmp_path):
    root = write_coco(tmp_path / "coco")
    data = coco_captions.load("val2017", data_dir=tmp_path, image_size=(16, 16))
    assert data["ids"] == [3, 7] and data["files"] == ["b.jpg", "a.jpg"]
    assert data["captions"] == [["Two dogs."], ["A cat on a mat.", "a cat"]]
    assert data["images"].shape == (2, 16, 16, 1)
    np.testing.assert_allclose(data["images"], 128 / 255, atol=1e-6)
    packed = tmp_path / "packed"
    packed.mkdir()
    with tarfile.open(packed / "mine.tgz", "w:gz") as tar:
        tar.add(root, arcname="coco")
    reader = coco_captions._Archive(packed / "mine.tgz")
    records = coco_captions.parse_annotations(reader.read("annotations/captions_val2017.json"))
    assert records[7][1] == ["A cat on a mat.", "a cat"]


def test_available_and_load_close_the_archive_they_open(tmp_path, monkeypatch):
    """Regression: ``available()`` opened the archive to look and left it open."""
    import hashlib

    write_coco(tmp_path / "src" / "coco")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    archive = data_dir / coco_captions.MINI.filename
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "src" / "coco", arcname="coco_mini")
    monkeypatch.setattr(coco_captions, "MINI", dataclasses.replace(
        coco_captions.MINI, sha256=hashlib.sha256(archive.read_bytes()).hexdigest()))
    opened, real_open = [], tarfile.open
    monkeypatch.setattr(coco_captions.tarfile, "open",
                        lambda *a, **k: opened.append(real_open(*a, **k)) or opened[-1])
    assert coco_captions.available(data_dir)
    assert coco_captions.load("val2017", data_dir=data_dir)["ids"] == [3, 7]
    assert len(opened) == 2 and all(handle.closed for handle in opened)
    assert coco_captions.available(tmp_path / "src")  # an extracted coco/ folder
    assert not coco_captions.available(tmp_path / "src" / "coco" / "val2017")


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    (json.dumps({"images": []}), "'images' and 'annotations'"),
    (json.dumps({"images": [{"id": 1}], "annotations": []}), "images\\[0\\]"),
    (json.dumps({"images": [{"id": 1, "file_name": "a.jpg"}],
                 "annotations": [{"image_id": 2, "caption": "x"}]}), "refers to image 2"),
])
def test_malformed_coco_annotations_give_a_clear_error(tmp_path, text, message):
    root = write_coco(tmp_path / "coco")
    (root / "annotations" / "captions_val2017.json").write_text(text)
    with pytest.raises(DataCorruptError, match=message) as error:
        coco_captions.load("val2017", data_dir=tmp_path)
    assert "captions_val2017.json" in str(error.value)


def test_missing_coco_names_the_fix(tmp_path):
    with pytest.raises(DataNotFoundError, match="annotations_trainval2017.zip"):
        coco_captions.load("val2017", data_dir=tmp_path)
    write_coco(tmp_path / "coco")
    with pytest.raises(DataNotFoundError, match="val2017"):
        coco_captions.load("test2015", data_dir=tmp_path)


@pytest.mark.requires_data("coco_mini")
def test_real_coco_mini_archive():
    data = coco_captions.load("val2017", image_size=(32, 32))
    assert data["images"].shape == (79, 32, 32, 1)
    assert all(len(c) >= 5 for c in data["captions"])


# ---------------------------------------------------------------------------
# The captioner
# ---------------------------------------------------------------------------


def test_captioner_decodes_with_attention(rng):
    keras.utils.set_random_seed(0)
    model = models.image_captioner(len(cap.VOCABULARY), (32, 32, 1), cnn_filters=(4, 8),
                                   units=8, embedding_dim=4)
    images = rng.random((3, 32, 32, 1)).astype("float32")
    decoder = decoding.StepDecoder.from_model(model)
    ids, attention = decoding.greedy_search(decoder, {"encoder_inputs": images}, start_id=1,
                                            end_id=2, max_length=6, return_attention=True)
    assert ids.shape == (3, 6) and attention.shape == (3, 6, 64)
    np.testing.assert_allclose(attention[ids != 0].sum(-1), 1.0, atol=1e-5)
    beam = decoding.beam_search(decoder, {"encoder_inputs": images}, start_id=1, end_id=2,
                                max_length=6, beam_width=3)
    assert beam.shape[0] == 3
    # step decoding equals teacher forcing on the greedy output
    tokens = np.concatenate([np.ones((3, 1), "int32"), ids[:, :-1]], axis=1)
    logits = model.predict({"encoder_inputs": images, "decoder_inputs": tokens}, verbose=0)
    first = logits[:, 0].argmax(-1)
    np.testing.assert_array_equal(np.where(first == 2, 0, first), ids[:, 0])


def test_captioner_without_attention_and_with_an_own_encoder():
    plain = models.image_captioner(20, (16, 16, 1), cnn_filters=(4,), units=8, cell="lstm",
                                   attention=None)
    ids = decoding.greedy_search(decoding.StepDecoder.from_model(plain),
                                 {"encoder_inputs": np.zeros((2, 16, 16, 1), "float32")},
                                 start_id=1, end_id=2, max_length=4)
    assert ids.shape == (2, 4)
    encoder = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(6, 4, strides=4)])
    own = models.image_captioner(20, (16, 16, 1), units=8, encoder=encoder)
    assert own.get_layer("grid").output.shape[1:] == (16, 6)


@pytest.mark.parametrize("kwargs, message", [
    (dict(image_shape=(30, 30, 1)), "divisible by 8"),
    (dict(attention="luong"), "attention"),
    (dict(cnn_filters=()), "cnn_filters"),
    (dict(image_shape=(32, 32)), "image_shape"),
])
def test_captioner_bad_arguments(kwargs, message):
    args = dict(vocab_size=20, image_shape=(32, 32, 1), cnn_filters=(4, 4, 4))
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        models.image_captioner(**args)


def test_attention_chance_is_the_box_share_of_cells():
    layout = [{"digit": 7, "size": "large", "box": (0, 0, 32)},
              {"digit": 1, "size": "small", "box": (48, 48, 16)}]
    text = "a large 7 to the left of a small 1"
    # 16 of 64 cells lie in the first box, 4 in the second: (16 + 4) / 2 / 64
    assert cap.attention_chance([text], [layout]) == pytest.approx(10 / 64)
    # a peak drawn at random hits at that rate
    rng = np.random.default_rng(0)
    attention = np.zeros((2000, 10, 64))
    attention[np.arange(2000)[:, None], np.arange(10), rng.integers(0, 64, (2000, 10))] = 1
    rate = cap.attention_on_object([text] * 2000, attention, [layout] * 2000)
    assert rate == pytest.approx(10 / 64, abs=0.02)
