"""Sphinx configuration of the course site (built by ``bash scripts/build-site.sh``).

``scripts/build_site.py`` copies this folder and the committed notebooks into
``build/site-src`` and builds from there: the notebooks are rendered from their
stored outputs (never executed), math is typeset by the MathJax copy shipped in
the ``sphinx-mathjax-offline`` wheel, and nothing is fetched from the network.
"""

import os

project = "rnn-keras"
author = "rnn-keras developers"
copyright = "2026, rnn-keras developers"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 from the wheel, copied into _static/mathjax
]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "_generated"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

# Notebooks: the committed outputs, as they are.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]

# API pages: Google-style docstrings (Args:, Returns:, Call arguments:).
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_inherit_docstrings = False  # Keras's own docstrings are not ours to render
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_google_docstring = True
napoleon_custom_sections = [("Call arguments", "params_style"), ("Shapes", "notes_style")]
autosummary_generate = False

html_theme = "sphinx_book_theme"
html_title = "rnn-keras: recurrent networks in Keras 3"
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
}
html_static_path = []
html_last_updated_fmt = None
html_copy_source = True  # the download button offers each page's source (.ipynb, .md)
# The GitHub repository, when the build knows it (links "Open in Colab").
REPOSITORY = os.environ.get("RNN_KERAS_REPOSITORY", "rnn-keras/rnn-keras")
