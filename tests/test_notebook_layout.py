"""The committed notebooks: numbered, structured, and stored with a real run's outputs.

(Executing them is nbval's job, in the same test command.)
"""

import json
import pathlib
import re

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def cells(path):
    return json.loads(path.read_text())["cells"]


# DESIGN.md fixes each notebook's number and subject.
DESIGNED = {0: "rnn_from_scratch", 1: "four_topologies", 2: "vanishing_exploding_gradients",
            3: "lstm_gru_bidirectional", 4: "sentiment", 5: "image_captioning",
            6: "translation", 7: "music", 8: "video"}


def test_numbered_as_designed():
    numbers = [int(re.match(r"(\d\d)_", p.name).group(1)) for p in NOTEBOOKS]
    assert len(set(numbers)) == len(numbers)
    assert numbers == sorted(DESIGNED)  # the whole series, no gaps
    for number, path in zip(numbers, NOTEBOOKS):
        assert path.stem[3:].startswith(DESIGNED[number]), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_structure_and_stored_outputs(path):
    nb_cells = cells(path)
    markdown = "\n".join("".join(c["source"]) for c in nb_cells if c["cell_type"] == "markdown")
    for section in ("## Setup", "## Takeaways"):
        assert section in markdown, f"{path.name} lacks a {section} section"
    code = [c for c in nb_cells if c["cell_type"] == "code"]
    stdout = [
        "".join(o.get("text", ""))
        for c in code for o in c["outputs"] if o.get("name") == "stdout"
    ]
    assert stdout, f"{path.name} has no stored output"
    # The first thing a notebook prints is the profile and data source of its run.
    assert re.search(r"profile=(quick|full) \| data=", stdout[0]), stdout[0][:200]
    assert not any(o.get("output_type") == "error" for c in code for o in c["outputs"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_ignores_tensorflow_log_output(path):
    setup = next(c for c in cells(path) if c["cell_type"] == "code")
    assert "".join(setup["source"]).startswith("# NBVAL_IGNORE_OUTPUT")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_call_the_package(path):
    code = "\n".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "code")
    assert "import rnn_keras" in code
    assert len(code.splitlines()) < 200, "package work is moving into the notebook"
