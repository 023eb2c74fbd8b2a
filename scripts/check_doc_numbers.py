"""Checks that the results pages' quick-profile numbers are the committed notebooks' numbers.

    python scripts/check_doc_numbers.py     # lists every number of a checked block not found

The pages under docs/ (the course site) mark each block of notebook results
with a comment on the line before it:

    <!-- checked: notebook 04 -->                  the next table or paragraph
    <!-- checked: notebook 01, column 2 -->        only that column (1 = first) of the table
    <!-- checked: notebook 05, rows quick -->      only the rows whose first cell starts "quick"

Every number in a checked block (a table's header row and first column, which
name the columns and rows, are left out) must be one that the notebook printed in a stored
output, at the page's precision (0.625 matches a printed 0.6249; 17.9% matches 0.1786).
tests/test_notebook_layout.py runs this, so a re-executed notebook whose
numbers moved fails the test until the page follows.
"""

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
MARKER = re.compile(r"<!-- checked: notebook (\d\d)(?:, column (\d+))?(?:, rows (.+?))? -->")
NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?(?:e-?\d+)?%?(?![\w])")


def notebook_numbers(number):
    """Every number printed in the stored outputs of notebook ``NN_*.ipynb``."""
    path = next((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    found = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")]
            texts.append(output.get("data", {}).get("text/plain", ""))
            for text in texts:
                for token in NUMBER.findall("".join(text)):
                    found.append(float(token.rstrip("%").replace(",", "")))
    return path.name, found


def _matches(token, printed):
    digits = token.rstrip("%").replace(",", "")
    value = float(digits)
    decimals = len(digits.split(".")[1]) if "." in digits and "e" not in digits else 0
    half = 0.5 * 10.0 ** -decimals + 1e-12
    scales = (1.0, 100.0) if token.endswith("%") else (1.0,)
    return any(abs(n * scale - value) <= half for n in printed for scale in scales)


def blocks(readme):
    """``(notebook, line number, [number tokens])`` for every checked block of a page."""
    lines = readme.splitlines()
    for i, line in enumerate(lines):
        marker = MARKER.search(line)
        if not marker:
            continue
        number, column, rows = marker.group(1), marker.group(2), marker.group(3)
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        tokens, header = [], True
        while j < len(lines) and lines[j].strip() and not lines[j].startswith("<!--"):
            text = lines[j]
            if text.startswith("|"):
                cells = [c.strip() for c in text.strip().strip("|").split("|")]
                if header or set("".join(cells)) <= set("-: "):  # the header and its rule
                    header = set("".join(cells)) > set("-: ")
                    j += 1
                    continue
                if rows and not cells[0].startswith(rows):
                    j += 1
                    continue
                cells = [cells[int(column) - 1]] if column else cells[1:]
                text = " ".join(cells)
            tokens += NUMBER.findall(text)
            j += 1
        yield number, i + 1, tokens


def pages():
    """``{relative path: text}`` of every page under docs/ and the README."""
    paths = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in paths}


def missing(texts=None):
    """Numbers of checked blocks that their notebook never printed.

    ``texts``: ``{name: markdown}`` (default: :func:`pages`).
    """
    problems, checked = [], 0
    for page, text in (texts if texts is not None else pages()).items():
        for number, line, tokens in blocks(text):
            name, printed = notebook_numbers(number)
            for token in tokens:
                checked += 1
                if not _matches(token, printed):
                    problems.append(f"{page}:{line}: {token} is not printed by {name}")
    return problems, checked


if __name__ == "__main__":
    problems, checked = missing()
    print("\n".join(problems) or f"all {checked} checked numbers are in the notebooks' outputs")
    sys.exit(1 if problems else 0)
