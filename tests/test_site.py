"""The course site: built offline from the committed notebooks, checked in a real browser.

The build (scripts/build_site.py) and every page opened in headless Chromium
(Debian's ``chromium``, driven by Playwright): each page loads with no failed
request and no request leaving the machine, its math is typeset by the local
MathJax (no raw ``$$`` left), every image has pixels, every internal link and
anchor resolves, the notebook pages show their figures and the video
notebook's animations are GIFs that play without JavaScript. Also: the README's
generated tables match their sources, and every record under results/ is well
formed and has a headline, and the results page states each record's headline.
"""

import functools
import html.parser
import http.server
import importlib.util
import json
import os
import pathlib
import shutil
import threading
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@functools.cache
def script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def chromium():
    path = os.environ.get("RNN_KERAS_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    if not path:
        pytest.skip("no Chromium: `apt-get install chromium` (scripts/test.sh does it as "
                    "root) or set RNN_KERAS_CHROMIUM to a Chromium binary")
    return path


# ---------------------------------------------------------------------------
# Generated tables and records (fast)
# ---------------------------------------------------------------------------


def test_readme_generated_tables_match_their_sources():
    assert script("site_tables").main(["--check"]) == 0, \
        "run python scripts/site_tables.py and commit README.md"


def test_readme_is_small():
    assert len((ROOT / "README.md").read_bytes()) <= 15 * 1024


def test_records_are_well_formed_and_have_a_headline():
    from rnn_keras import results

    records = results.load_records(ROOT / "results")
    assert records, "results/ holds no record"
    for record in records:
        assert record["file"] == results.record_name(record["experiment"], record["arguments"])
        assert record["arguments"]["profile"] == "full", record["file"]
        assert "headline" not in record, "records store metrics; verdicts are derived"
        assert results.headline_numbers(record), f"{record['file']}: no headline metric"


def results_section(experiment):
    """docs/results.md's section whose heading names ``(`experiment`, ...``."""
    lines, keep = [], False
    for line in (ROOT / "docs" / "results.md").read_text().splitlines():
        if line.startswith(("# ", "## ")):
            keep = line.startswith("## ") and f"(`{experiment}`" in line
        if keep:
            lines.append(line)
    return "\n".join(lines)


def test_results_page_states_each_records_headline():
    """The prose of a recorded experiment's section shows the record's headline and baseline
    (at the page's precision): a rerun that moves them fails until the page follows."""
    from rnn_keras import results

    check = script("check_doc_numbers")
    for record in results.load_records(ROOT / "results"):
        section = results_section(record["experiment"])
        assert section, f"docs/results.md has no section headed (`{record['experiment']}`, ...)"
        # numbers written with decimals only: a bare "1" or "01" would match anything
        tokens = [t for t in check.NUMBER.findall(section) if "." in t]
        for row in results.headline_numbers(record):
            for value in (row["value"], row["baseline"]):
                if value is not None:
                    assert any(check._matches(t, [value]) for t in tokens), \
                        f"{record['file']}: {row['metric']} = {value} is not in its section"


def test_headline_verdict_follows_the_direction(tmp_path):
    from rnn_keras import results

    record = {"experiment": "video", "arguments": {"profile": "full"},
              "metrics": {"rollout_mse": 0.02, "copy_last_mse": 0.03, "blank_mse": 0.025}}
    assert [row["holds"] for row in results.headline_numbers(record)] == [True, False]
    record["metrics"]["rollout_mse"] = 0.04
    assert results.headline_numbers(record)[0]["holds"] is False
    record["metrics"]["rollout_mse"] = 0.014  # the video goal: under half the copy's error
    assert results.headline_numbers(record)[1]["holds"] is True
    record = {"experiment": "adding-problem", "arguments": {"profile": "full"},
              "metrics": {"lstm_T100_mse": 0.5, "lstm_T400_mse": 0.1, "baseline_mse": 0.17}}
    (row,) = results.headline_numbers(record)
    assert row["metric"] == "lstm_T400_mse" and row["holds"] is False  # not half the error
    record["metrics"]["lstm_T400_mse"] = 0.05
    assert results.headline_numbers(record)[0]["holds"] is True
    # a win that its Diebold-Mariano test does not back is a tie
    record = {"experiment": "timeseries", "arguments": {"profile": "full"}, "file": "t.json",
              "date": "2026-12-04", "metrics": {"best_neural_mae": 9.0, "best_baseline_mae": 10.0,
                                                "dm_p_value": 0.4}}
    assert "tie (DM p = 0.40)" in results.headline_table([record])
    record["metrics"]["dm_p_value"] = 0.01
    assert "| yes |" in results.headline_table([record])


def test_every_speech_split_has_a_headline():
    """One voice held out (single fold) and all six (means): both records get a headline."""
    from rnn_keras import results

    one = {"experiment": "speech", "metrics": {"rnn": 0.9, "cnn": 0.8, "mfcc_lr": 0.7}}
    six = {"experiment": "speech", "metrics": {"rnn_mean": 0.9, "mfcc_lr_mean": 0.95}}
    assert results.headline_numbers(one)[0]["holds"] is True
    assert results.headline_numbers(six)[0]["holds"] is False


def test_command_options_are_typed_as_on_the_command_line():
    from rnn_keras import results

    assert results.command_options({"profile": "full", "seed": 0, "bidirectional": False,
                                    "distribute": True, "cell": "gru"}) == \
        "--no-bidirectional --cell gru --distribute"
    assert results._fmt(1.0) == "1.000" and results._fmt(339.0) == "339.0"
    assert results._fmt(0.08686) == "0.08686" and results._fmt(12345.6) == "12,346"


def test_a_malformed_record_is_named(tmp_path):
    from rnn_keras import results

    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(ValueError, match="x.json is not valid JSON"):
        results.load_records(tmp_path)
    (tmp_path / "x.json").write_text('{"experiment": "video"}')
    with pytest.raises(ValueError, match="lacks"):
        results.load_records(tmp_path)


# ---------------------------------------------------------------------------
# The site in a browser (slow: builds, then opens every page)
# ---------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    chromium()  # skip before building when there is no browser to open it
    out = tmp_path_factory.mktemp("site")
    assert script("build_site").main(["--out", str(out)]) == 0
    handler = functools.partial(_Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _Anchors(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(v for k, v in attrs if k in ("id", "name") and v)


@functools.cache
def _ids(path):
    parser = _Anchors()
    parser.feed(pathlib.Path(path).read_text(encoding="utf-8"))
    return parser.ids


PAGE_CHECK = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const text = Array.from(document.querySelectorAll('article'))
      .map(a => { const c = a.cloneNode(true);
                  c.querySelectorAll('pre, code, .highlight').forEach(e => e.remove());
                  return c.innerText; }).join('\\n');
  const maths = Array.from(document.querySelectorAll('span.math, div.math'));
  return {
    title: document.title,
    rawMath: (text.match(/\\$\\$/g) || []).length,
    maths: maths.length,
    untypeset: maths.filter(m => !m.querySelector('mjx-container')).length,
    brokenImages: Array.from(document.images)
        .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80)),
    outputImages: document.querySelectorAll('.cell_output img').length,
    gifs: Array.from(document.images).filter(i => i.src.startsWith('data:image/gif')).length,
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
  };
}"""


@pytest.mark.slow
@pytest.mark.browser
def test_every_page_renders_offline_in_chromium(site):
    sync_api = pytest.importorskip("playwright.sync_api")
    sync_playwright = sync_api.sync_playwright

    out, base = site
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                   if "_static" not in p.parts and "_sources" not in p.parts)
    assert len(pages) > 30, pages
    problems, results = [], {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        outside, failed, errors = [], [], []
        page.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:"))
                else outside.append(r.url))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        # nothing leaves the machine: a request elsewhere is refused, and reported
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith((base, "data:", "blob:")) else route.abort())
        for name in pages:
            outside.clear(), failed.clear(), errors.clear()
            response = page.goto(base + name, wait_until="load")
            assert response.ok, name
            found = page.evaluate(PAGE_CHECK)
            page.wait_for_load_state("networkidle")  # fonts MathJax asked for, before leaving
            results[name] = found
            for what, bad in (("requests leaving the machine", outside),
                              ("failed requests", failed), ("script errors", errors),
                              ("broken images", found["brokenImages"])):
                if bad:
                    problems.append(f"{name}: {what}: {bad[:3]}")
            if found["rawMath"] or found["untypeset"]:
                problems.append(f"{name}: math not typeset ({found['rawMath']} raw $$, "
                                f"{found['untypeset']} of {found['maths']} untypeset)")
            for href in found["links"]:
                parts = urllib.parse.urlsplit(href)
                if parts.scheme or href.startswith(("mailto:", "//")):
                    continue
                target = (out / name).parent / urllib.parse.unquote(parts.path) \
                    if parts.path else out / name
                target = target.resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    problems.append(f"{name}: link {href} leads nowhere")
                elif parts.fragment and target.suffix == ".html" and \
                        parts.fragment not in _ids(target):
                    problems.append(f"{name}: link {href}: no anchor #{parts.fragment}")
        browser.close()
    assert not problems, "\n".join(problems[:40])
    notebooks = {k: v for k, v in results.items() if k.startswith("notebooks/")}
    assert len(notebooks) == len(list((ROOT / "notebooks").glob("*.ipynb")))
    for name, found in notebooks.items():
        assert found["outputImages"] > 0, f"{name} shows no figure"
    assert results["notebooks/08_video_frames.html"]["gifs"] >= 2  # animations, no JavaScript
    assert sum(v["maths"] for v in results.values()) > 50  # math was there to typeset
    api = results["api/layers.html"]
    assert "LSTMCell" in json.dumps(api["links"])  # the API page documents the cells
