"""Generated tables: the notebook table and the headline results, for the README and the site.

    python scripts/site_tables.py            # rewrite README.md's generated blocks
    python scripts/site_tables.py --check    # exit 1 if README.md differs from the sources
    python scripts/site_tables.py --site DIR # write the site's generated pages into DIR

Sources: the table of questions in docs/notebooks.md (one row per notebook)
and the records under results/ (rnn_keras.results). The README holds each
table between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``;
tests/test_site.py runs ``--check``, so a table cannot drift from its records.
"""

import argparse
import json
import pathlib
import re
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the test extra installs tomli
    import tomli as tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnn_keras import results  # noqa: E402

NOTEBOOK_ROW = re.compile(r"^\| (\d\d) \| `(\d\d_[\w]+\.ipynb)` \| (.+) \|$")


def repository():
    """``owner/name`` of the GitHub repository named in pyproject.toml's [project.urls]."""
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    return urls["Repository"].rstrip("/").split("github.com/")[1]


def colab_url(notebook):
    return f"https://colab.research.google.com/github/{repository()}/blob/main/notebooks/{notebook}"


def notebooks():
    """``[(number, file name, question)]`` from docs/notebooks.md's table."""
    rows = [m.groups() for line in (ROOT / "docs" / "notebooks.md").read_text().splitlines()
            if (m := NOTEBOOK_ROW.match(line))]
    on_disk = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    if [name for _, name, _ in rows] != on_disk:
        raise SystemExit(f"docs/notebooks.md's table lists {[n for _, n, _ in rows]}, "
                         f"notebooks/ holds {on_disk}: make them agree.")
    return rows


def notebook_table(site):
    """Markdown table; ``site``: links to the notebook pages, else to the .ipynb files."""
    lines = ["| # | notebook | question | |", "|---|---|---|---|"]
    for number, name, question in notebooks():
        stem = name[:-len(".ipynb")]
        title = stem[3:].replace("_", " ")
        link = f"{{doc}}`{title} </notebooks/{stem}>`" if site else f"[{title}](notebooks/{name})"
        lines.append(f"| {number} | {link} | {question} | [Colab]({colab_url(name)}) |")
    return "\n".join(lines) + "\n"


def records():
    return results.load_records(ROOT / "results")


def headline(link_prefix):
    found = records()
    if not found:
        return "No full-profile run has been recorded yet.\n"
    return results.headline_table(found, link_prefix=link_prefix)


def registry_page():
    """The site's page listing every record in full."""
    parts = ["# Results registry\n",
             "Every full-profile run of the experiment CLI writes one record "
             "(`python -m rnn_keras run EXPERIMENT --profile full`; "
             "{py:mod}`rnn_keras.results`). This page and the README's headline table "
             "are generated from the records committed under `results/`.\n",
             headline("{file}"), ""]
    for record in records():
        anchor = record["file"]
        parts.append(f"## {anchor}\n")
        options = results.command_options(record["arguments"])
        seed = record["arguments"].get("seed", 0)
        parts.append(f"Command: `python -m rnn_keras run {record['experiment']} --profile "
                     f"{record['arguments'].get('profile', 'full')} --seed {seed} {options}`  \n"
                     f"Commit `{record['commit']}`, {record['date']}, "
                     f"{record.get('seconds', '—')} s, peak RSS "
                     f"{record.get('peak_rss_mb', '—')} MB.  \n"
                     f"Machine: {json.dumps(record.get('machine', {}))}\n")
        if record.get("note"):
            parts.append(f"Note: {record['note']}\n")
        parts.append("| metric | value |\n|---|---|")
        for key, value in record["metrics"].items():
            if isinstance(value, (dict, list)):
                value = json.dumps(value)[:200]
            elif value is None:
                value = "—"
            parts.append(f"| `{key}` | {value} |")
        parts.append("")
    return "\n".join(parts) + "\n"


BLOCKS = {"notebooks": lambda: notebook_table(site=False),
          "results": lambda: headline(link_prefix="results/")}


def update(text):
    """``text`` with every generated block replaced by its current content."""
    for name, make in BLOCKS.items():
        start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
        if start not in text or end not in text:
            raise SystemExit(f"README.md lacks the markers {start.strip()} ... {end}")
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + start + make() + end + tail
    return text


def write_site(directory):
    directory = pathlib.Path(directory)
    generated = directory / "_generated"
    generated.mkdir(parents=True, exist_ok=True)
    (generated / "notebook-table.md").write_text(notebook_table(site=True))
    (generated / "headline.md").write_text(headline(link_prefix="{{doc}}`{file} </registry>`"))
    (directory / "registry.md").write_text(registry_page())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--site", default=None)
    args = parser.parse_args(argv)
    if args.site:
        write_site(args.site)
        return 0
    readme = ROOT / "README.md"
    current = readme.read_text()
    wanted = update(current)
    if args.check:
        if current != wanted:
            print("README.md's generated tables are stale: run python scripts/site_tables.py")
            return 1
        return 0
    readme.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
