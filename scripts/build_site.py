"""Builds the course site into build/site from docs/ and the committed notebooks, offline.

    python scripts/build_site.py [--out build/site]     (bash scripts/build-site.sh wraps it)

Stages docs/ and notebooks/*.ipynb into build/site-src (the notebooks as
committed: their stored outputs, never re-executed), writes the generated
pages (scripts/site_tables.py), then runs Sphinx. Nothing is downloaded:
MathJax comes from the sphinx-mathjax-offline wheel. Prints the output folder
and the seconds it took; exits non-zero when Sphinx fails.
"""

import argparse
import pathlib
import shutil
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


def stage(source):
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(ROOT / "docs", source)
    (source / "notebooks").mkdir()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy2(notebook, source / "notebooks" / notebook.name)
    import site_tables

    site_tables.write_site(source)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "site"))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    source = ROOT / "build" / "site-src"
    stage(source)
    from sphinx.cmd.build import build_main

    status = build_main(["-b", "html", "-q", "-j", "auto", "-d", str(ROOT / "build" / "doctrees"),
                         str(source), args.out])
    seconds = time.perf_counter() - start
    print(f"[site] {'built' if status == 0 else 'FAILED'}: {args.out}/index.html "
          f"in {seconds:.0f} s", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
