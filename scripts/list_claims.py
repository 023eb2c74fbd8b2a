"""Prints the claims each committed notebook checked on its own run, as Markdown.

    python scripts/list_claims.py            # docs/notebooks.md's "What the notebooks claim"

Each line is a `CLAIM ✓` line that `rnn_keras.claims.claim` printed in a stored
output, numbers included. tests/test_notebook_layout.py checks that
docs/notebooks.md holds exactly this list, so the page cannot drift from the notebooks.
"""

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PREFIX = "CLAIM \u2713 "


def claims(path):
    found = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            for line in "".join(output.get("text", "")).splitlines():
                if line.startswith(PREFIX):
                    found.append(line[len(PREFIX):])
    return found


def markdown():
    lines = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        found = claims(path)
        if found:
            lines.append(f"- **{path.stem}**")
            lines += [f"  - {claim}" for claim in found]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
