"""Wall time and peak memory of every notebook and every experiment.

Each one runs in its own child process (notebooks through ``jupyter
nbconvert --execute``, experiments through the CLI); its peak resident
memory is the child's own ``ru_maxrss`` from ``wait4`` (it covers the
notebook kernel, which nbconvert waits for). Prints one JSON line with a
row per notebook or experiment; the experiments' rows also hold their
headline metrics.

    python benchmarks/runtimes.py --notebooks                      # quick profile
    python benchmarks/runtimes.py --experiments all --profile full --data-dir ../shared/data
    python benchmarks/runtimes.py --experiments topologies,sentiment --profile quick
"""

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_child(command, env, log):
    """Runs ``command``; returns (exit status, seconds, peak RSS in MB)."""
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - start, usage.ru_maxrss / 1024


def notebook_rows(names, env, folder):
    rows = []
    for path in names:
        log = folder / f"{path.stem}.log"
        code, seconds, peak = run_child(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
             "--ExecutePreprocessor.timeout=3600", "--output-dir", str(folder), str(path)],
            env, log)
        rows.append({"notebook": path.name, "profile": env["RNN_KERAS_PROFILE"],
                     "ok": code == 0, "seconds": round(seconds, 1), "peak_mb": round(peak)})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def experiment_rows(names, profile, data_dir, env, folder):
    rows = []
    for name in names:
        log = folder / f"{name}.log"
        command = [sys.executable, "-m", "rnn_keras", "run", name, "--profile", profile,
                   "--out", str(folder / name)]
        if data_dir:
            command += ["--data-dir", data_dir]
        code, seconds, peak = run_child(command, env, log)
        row = {"experiment": name, "profile": profile, "ok": code == 0,
               "seconds": round(seconds, 1), "peak_mb": round(peak)}
        if code == 0:
            summary = json.loads(log.read_text().strip().splitlines()[-1])
            row["metrics"] = {k: v for k, v in summary.items()
                              if k not in ("experiment", "profile", "seconds", "seed")
                              and isinstance(v, (int, float))}
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", action="store_true", help="run every notebook")
    parser.add_argument("--experiments", default="",
                        help="comma-separated experiment names, or 'all'")
    parser.add_argument("--profile", default="quick", choices=("quick", "full", "smoke"),
                        help="profile of the experiments (notebooks always run quick)")
    parser.add_argument("--data-dir", default=os.environ.get("RNN_KERAS_DATA_DIR"))
    parser.add_argument("--out", default=None, help="keep logs and outputs here")
    args = parser.parse_args()
    if not args.notebooks and not args.experiments:
        parser.error("nothing to time: pass --notebooks and/or --experiments")

    from rnn_keras import experiments

    names = sorted(experiments.EXPERIMENTS) if args.experiments == "all" else [
        n for n in args.experiments.split(",") if n]
    unknown = [n for n in names if n not in experiments.EXPERIMENTS]
    if unknown:
        parser.error(f"unknown experiment {unknown[0]!r}; choose from "
                     f"{', '.join(sorted(experiments.EXPERIMENTS))}")
    folder = pathlib.Path(args.out or tempfile.mkdtemp(prefix="rnn-keras-runtimes-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, RNN_KERAS_PROFILE="quick")
    if args.data_dir:
        env["RNN_KERAS_DATA_DIR"] = str(pathlib.Path(args.data_dir).resolve())
    rows = []
    if args.notebooks:
        rows += notebook_rows(sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")), env,
                              folder)
    if names:
        rows += experiment_rows(names, args.profile, env.get("RNN_KERAS_DATA_DIR"), env,
                                folder)
    print(json.dumps({"benchmark": "runtimes", "machine": f"{platform.machine()}, "
                      f"{os.cpu_count()} CPUs", "python": platform.python_version(),
                      "logs": str(folder), "rows": rows}))


if __name__ == "__main__":
    main()
