"""Removes TensorFlow's C++/absl log lines from the stored outputs of notebooks.

    python scripts/strip_log_noise.py notebooks/04_sentiment_imdb.ipynb ...

The lines (absl start-up warnings, oneDNN notices, tf.function retracing
warnings) appear whatever TF_CPP_MIN_LOG_LEVEL says: the C++ ones on stderr,
TensorFlow's Python logger on stdout inside a Jupyter kernel. A reader never
asked for them. Only lines that start like a log record are removed, from
any stream; a stream left empty is dropped. tests/test_notebook_layout.py
checks that none is committed.
"""

import json
import re
import sys

NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\)|[IWE]\d{4} \d\d:\d\d:\d\d"
    r"|To enable the following instructions:|WARNING:tensorflow:|WARNING:absl:)")


def is_noise(line):
    return bool(NOISE.match(line))


def strip(path):
    notebook = json.loads(open(path, encoding="utf-8").read())
    removed = 0
    for cell in notebook["cells"]:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                lines = "".join(output["text"]).splitlines(True)
                clean = [line for line in lines if not is_noise(line)]
                removed += len(lines) - len(clean)
                if not "".join(clean).strip():
                    continue
                output["text"] = clean
            kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return removed


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {strip(name)} log lines removed")
