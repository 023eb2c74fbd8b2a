"""What the notebook generators share: cells in order, then one write.

    from _build import Notebook
    nb = Notebook()
    nb.md("# Title")
    nb.code("print(1)")
    nb.write("NN_name.ipynb")   # into notebooks/, unexecuted: execute it next
"""

import pathlib

import nbformat

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"


class Notebook:
    def __init__(self):
        self.cells = []

    def md(self, text):
        self.cells.append(nbformat.v4.new_markdown_cell(text.strip()))

    def code(self, text):
        self.cells.append(nbformat.v4.new_code_cell(text.strip()))

    def write(self, name):
        nb = nbformat.v4.new_notebook(cells=self.cells, metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}})
        path = NOTEBOOKS / name
        nbformat.write(nb, path)
        print("wrote", path)
        return path
