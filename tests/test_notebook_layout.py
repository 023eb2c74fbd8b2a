"""The committed notebooks: numbered, structured, and stored with a real run's outputs.

(Executing them is nbval's job, in the same test command.)
"""

import functools
import importlib.util
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RESULTS = (ROOT / "docs" / "results.md").read_text()
NOTEBOOKS_PAGE = (ROOT / "docs" / "notebooks.md").read_text()


def cells(path):
    return json.loads(path.read_text())["cells"]


@functools.cache
def script(name):
    """A module of scripts/ (not a package), loaded once."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# docs/design.md fixes each notebook's number and subject.
DESIGNED = {0: "rnn_from_scratch", 1: "four_topologies", 2: "vanishing_exploding_gradients",
            3: "lstm_gru_bidirectional", 4: "sentiment", 5: "image_captioning",
            6: "translation", 7: "music", 8: "video", 9: "time_series",
            10: "text_generation", 11: "speech", 12: "what_rnns_cost"}


def test_numbered_as_designed():
    numbers = [int(re.match(r"(\d\d)_", p.name).group(1)) for p in NOTEBOOKS]
    assert len(set(numbers)) == len(numbers)
    assert numbers == sorted(DESIGNED)  # the designed series, nothing else
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


INSTALL_GUARD = 'if importlib.util.find_spec("rnn_keras") is None:'


def is_install_cell(cell):
    return INSTALL_GUARD in "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_ignores_tensorflow_log_output(path):
    setup = next(c for c in cells(path) if c["cell_type"] == "code" and not is_install_cell(c))
    assert "".join(setup["source"]).startswith("# NBVAL_IGNORE_OUTPUT")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_in_colab_and_installs_the_package_only_where_missing(path):
    """A Colab link in the title cell; the first code cell installs rnn_keras only where it is
    missing (nbval and local runs import the installed package and skip the install)."""
    nb_cells = cells(path)
    assert f"blob/main/notebooks/{path.name})" in "".join(nb_cells[0]["source"])
    first = next(c for c in nb_cells if c["cell_type"] == "code")
    assert is_install_cell(first), "the first code cell installs the package where it is missing"
    source = "".join(first["source"])
    assert source.startswith("# NBVAL_IGNORE_OUTPUT") and "%pip install" in source
    assert source.index(INSTALL_GUARD) < source.index("%pip install")
    assert sum(is_install_cell(c) for c in nb_cells) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_paired_text_file_is_in_sync(path):
    """Each notebook has its py:percent twin (jupytext.toml) with the same cells."""
    jupytext = pytest.importorskip("jupytext")
    twin = path.with_suffix(".py")
    assert twin.exists(), f"run: jupytext --sync {path.relative_to(ROOT)}"
    text = jupytext.read(twin)
    pairs = [(c.cell_type, c.source.rstrip()) for c in text.cells]  # the text form drops
    stored = [(c["cell_type"], "".join(c["source"]).rstrip()) for c in cells(path)]  # end blanks
    assert pairs == stored, f"{twin.name} and {path.name} differ: jupytext --sync them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_call_the_package(path):
    code = "\n".join("".join(c["source"]) for c in cells(path)
                     if c["cell_type"] == "code" and not is_install_cell(c))
    assert "import rnn_keras" in code
    assert len(code.splitlines()) < 200, "package work is moving into the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_log_noise_in_stored_outputs(path):
    """TensorFlow's log lines are stripped (scripts/strip_log_noise.py)."""
    is_noise = script("strip_log_noise").is_noise
    noisy = [line for c in cells(path) for o in c.get("outputs", [])
             if o.get("output_type") == "stream" for line in "".join(o["text"]).splitlines()
             if is_noise(line)]
    assert not noisy, f"{path.name}: run scripts/strip_log_noise.py ({noisy[0][:80]})"


def test_every_data_notebook_is_known_to_the_test_tiers():
    """A notebook that reads a data set must be listed, or CI without data fails."""
    from conftest import NOTEBOOK_DATA

    for path in NOTEBOOKS:
        code = "\n".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "code")
        reads_data = any(name in code for name in (
            "sentiment.prepare", "costs.prepare", "captioning.prepare", "video.prepare", "music.prepare",
            'pair="spa-eng"', "sd.load(", "spoken_digits.load(", "charlm.prepare"))
        assert reads_data == (path.name[:2] in NOTEBOOK_DATA), path.name


def results_of(notebook):
    """The results page's sections whose heading names ``notebook NN``."""
    sections, keep = [], False
    for line in RESULTS.splitlines():
        if line.startswith(("# ", "## ")):
            keep = line.startswith("## ") and f"notebook {notebook}" in line
        if keep:
            sections.append(line)
    return "\n".join(sections)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_numbers_quoted_from_the_results_page_are_there(path):
    """A result only the full profile shows is quoted from the results page (docs/results.md),
    so it must be in that notebook's own section there, as a whole number (``0.88`` is not
    in ``0.882``): anywhere on the page, most two-decimal numbers occur by chance."""
    results = results_of(path.name[:2])
    for cell in cells(path):
        if cell["cell_type"] != "markdown":
            continue
        for sentence in re.split(r"(?<=[.:;])\s+", "".join(cell["source"])):
            if "results page" not in sentence:
                continue
            for number in re.findall(r"\b\d+\.\d+\b", sentence):
                assert re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", results), \
                    f"{path.name}: {number} is not in its results section ({sentence[:80]}...)"


def test_the_results_section_lookup_is_not_trivially_true():
    results = results_of("04")
    assert results.startswith("## Sentiment on IMDB") and "## Translation" not in results
    assert results_of("00") == ""


def _stdout(path, marker):
    for cell in cells(path):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            if output.get("name") == "stdout" and marker in text:
                return text
    raise AssertionError(f"{path.name}: no output containing {marker!r}")


def test_quick_sentiment_table_is_notebook_04s():
    """The results page's quick table is the committed notebook's run, not an older one."""
    path = next(p for p in NOTEBOOKS if p.name.startswith("04_"))
    table = _stdout(path, "test acc  val acc")
    notebook_rows = [line.split()[-4:-2] for line in table.splitlines()[1:10]]
    start = RESULTS.index("| SimpleRNN, last state |")
    readme_rows = [line.split("|")[2:4] for line in RESULTS[start:].splitlines()[:9]]
    assert [[a.strip(), b.strip()] for a, b in readme_rows] == notebook_rows


def test_quick_results_are_the_committed_notebooks_numbers():
    """Each block of docs/ marked `<!-- checked: notebook NN -->` holds only numbers NN printed."""
    problems, checked = script("check_doc_numbers").missing()
    assert not problems, "\n".join(problems)
    assert checked > 80  # the quick tables of notebooks 01-08, not a stray marker


def test_number_check_catches_a_number_the_notebook_never_printed():
    check = script("check_doc_numbers")
    page = "<!-- checked: notebook 04 -->\n| variant | acc |\n|---|---|\n| BiGRU | 987.654 |\n"
    problems, checked = check.missing({"docs/x.md": page})
    assert checked == 1 and problems == ["docs/x.md:1: 987.654 is not printed by 04_sentiment_imdb.ipynb"]
    _, printed = check.notebook_numbers("04")
    shown = f"{printed[-1]:.3f}" if printed[-1] % 1 else f"{printed[-1]:.0f}"
    assert check.missing({"docs/x.md": page.replace("987.654", shown)}) == ([], 1)


def test_notebooks_page_lists_exactly_the_notebooks_claims():
    listed = NOTEBOOKS_PAGE.split("<!-- claims:start -->\n")[1].split("<!-- claims:end -->")[0]
    assert listed == script("list_claims").markdown(), \
        "run python scripts/list_claims.py and update docs/notebooks.md"
    assert listed.count("\n") > 40
