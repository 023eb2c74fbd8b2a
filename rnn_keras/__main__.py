"""The experiment CLI.

    python -m rnn_keras list
    python -m rnn_keras run EXPERIMENT [--profile quick|full] [--data-dir DIR]
                                       [--out DIR] [--seed N]
                                       [--cell C] [--[no-]bidirectional] [--implementation I]
                                       [--pair P] [--attention A] [--beam W]
                                       [--series S]
                                       [--task T] [--split S] [--speaker NAME] [--snr DB]
                                       [--distribute] [--record DIR | --no-record]

A run prints progress, writes ``metrics.json`` (and models, plots) under
``--out`` and ends its standard output with one JSON line holding
``experiment``, ``profile``, ``seconds`` and the headline metrics. A
full-profile run also writes its results record to ``results/``
(:mod:`rnn_keras.results`; ``--record DIR`` for another folder or any
profile, ``--no-record`` for none). Usage
errors (unknown experiment, bad profile, missing data) exit with status 2 and
one line saying what to do.
"""

import argparse
import inspect
import json
import math
import pathlib
import sys
import time

from rnn_keras import _files

VARIANT_OPTIONS = ("cell", "bidirectional", "implementation", "pair", "attention", "beam",
                   "series", "task", "split", "speaker", "snr", "pretrain", "part", "distribute")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit 2, instead of the usage dump
        raise UsageError(f"{message} (see `python -m rnn_keras --help`)")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def _parser():
    parser = _Parser(prog="python -m rnn_keras", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="name the experiments")
    run = sub.add_parser("run", help="run one experiment")
    run.add_argument("experiment")
    run.add_argument("--profile", default=None,
                     help="quick | full (default: $RNN_KERAS_PROFILE, else full)")
    run.add_argument("--data-dir", default=None,
                     help="local data sets (default: $RNN_KERAS_DATA_DIR)")
    run.add_argument("--out", default=None,
                     help="output folder (default: runs/EXPERIMENT-PROFILE)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--record", default=None, metavar="DIR",
                     help="write the run's results record (rnn_keras.results) to DIR; "
                          "full-profile runs write one to results/ unless --no-record")
    run.add_argument("--no-record", action="store_true",
                     help="write no results record, even at the full profile")
    variant = run.add_argument_group("model variant (experiments that train one model)")
    variant.add_argument("--cell", choices=("simple", "lstm", "gru"), default=None)
    variant.add_argument("--bidirectional", action=argparse.BooleanOptionalAction, default=None)
    variant.add_argument("--implementation", choices=("fused", "scratch"), default=None)
    charlm = run.add_argument_group("charlm")
    charlm.add_argument("--part", choices=("all", "truncation", "headline"), default=None,
                        help="truncation: stateless vs stateful at each truncation length "
                             "(TensorFlow backend); headline: the large model (fastest with "
                             "KERAS_BACKEND=jax); all (default)")
    sentiment = run.add_argument_group("sentiment")
    sentiment.add_argument("--pretrain", choices=("none", "lm"), default=None,
                           help="lm: pretrain a word language model on the training reviews' "
                                "text, then fine-tune it as the classifier (Dai and Le 2015, "
                                "ULMFiT); none (default): random initialisation")
    translation = run.add_argument_group("translation and captioning")
    translation.add_argument("--pair", choices=("spa-eng", "fra-eng", "numbers-en-de"),
                             default=None, help="sentence pairs (default spa-eng)")
    translation.add_argument("--attention", choices=("none", "bahdanau", "luong"),
                             default=None,
                             help="decoder attention (translation: default luong; "
                                  "captioning: bahdanau or none, default bahdanau)")
    translation.add_argument("--beam", type=_positive_int, default=None,
                             help="beam width of the beam scores (translation default 5, "
                                  "captioning 3)")
    timeseries = run.add_argument_group("timeseries")
    timeseries.add_argument("--series", choices=("taylor", "sunspots", "msft", "jena"),
                            default=None,
                            help="the series to forecast (default taylor: electricity demand)")
    speech = run.add_argument_group("speech")
    speech.add_argument("--task", choices=("digits", "strings"), default=None,
                        help="isolated digits (default) or connected digit strings with CTC")
    speech.add_argument("--split", choices=("official", "speaker"), default=None,
                        help="official (recordings 0-4 are test; default) or unseen speaker "
                             "(all six folds unless --speaker)")
    speech.add_argument("--speaker", choices=("george", "jackson", "lucas", "nicolas", "theo",
                                              "yweweler"), default=None,
                        help="with --split speaker: hold out only this speaker")
    speech.add_argument("--snr", type=float, default=None,
                        help="strings: add white noise at this signal-to-noise ratio (dB)")
    scale = run.add_argument_group("scale-out and resume")
    scale.add_argument("--distribute", action="store_true", default=None,
                       help="data-parallel training: tf.distribute.MultiWorkerMirroredStrategy "
                            "(TensorFlow; workers from TF_CONFIG) or "
                            "keras.distribution.DataParallel (JAX; all local devices). "
                            "A run killed mid-training resumes when run again with the same "
                            "--out.")
    return parser


def _make_folder(path):
    """Creates ``path`` (and parents); returns the folders it created, deepest first."""
    created = []
    for folder in [path, *path.parents]:
        if folder.exists():
            break
        created.append(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".rnn_keras_write_test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        _remove_if_empty(created)
        raise UsageError(f"cannot write to the output folder {str(path)!r} "
                         f"({error.strerror or error}); pass a writable --out") from None
    return created


def _remove_if_empty(folders):
    """Removes folders this run created and left empty (a failed run leaves nothing)."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            break


def _json_number(value):
    """NaN and infinity (a diverged run) become null, at any depth: strict JSON has no NaN."""
    if isinstance(value, dict):
        return {k: _json_number(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_number(v) for v in value]
    if hasattr(value, "dtype") and getattr(value, "ndim", None) == 0:  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _run(args):
    from rnn_keras import config
    from rnn_keras import experiments
    from rnn_keras.data import DataCorruptError
    from rnn_keras.data import DataNotFoundError
    from rnn_keras.validation import OptionError

    if args.experiment not in experiments.EXPERIMENTS:
        raise UsageError(
            f"unknown experiment {args.experiment!r}; choose one of: "
            f"{', '.join(sorted(experiments.EXPERIMENTS))} (python -m rnn_keras list)"
        )
    try:
        profile = config.get_profile(args.profile)
        data_dir = config.get_data_dir(args.data_dir)
    except ValueError as error:
        raise UsageError(str(error)) from None
    module = experiments.get(args.experiment)
    options = {k: getattr(args, k) for k in VARIANT_OPTIONS if getattr(args, k) is not None}
    accepted = inspect.signature(module.run).parameters
    refused = [k for k in options if k not in accepted]
    if refused:
        raise UsageError(
            f"experiment {args.experiment!r} has no --{refused[0]} option (see "
            "`python -m rnn_keras --help` for which experiments take which options)")
    out = pathlib.Path(args.out or f"runs/{args.experiment}-{profile}")
    created = _make_folder(out)

    import keras

    if args.distribute:
        from rnn_keras import training

        try:
            training.start_distribution()  # before any TensorFlow op runs
        except ValueError as error:
            _remove_if_empty(created)
            raise UsageError(str(error)) from None
    keras.utils.set_random_seed(args.seed)
    print(f"[rnn_keras] {args.experiment}: {config.describe(profile, data_dir)}; "
          f"seed={args.seed}; out={out}", flush=True)
    record_dir = None if args.no_record else (args.record or ("results" if profile == "full"
                                                              else None))
    if record_dir is not None:
        from rnn_keras import results

        commit = results._commit()  # the code that runs, not what the tree holds at the end
    start = time.perf_counter()
    try:
        metrics = module.run(profile=profile, data_dir=data_dir, out_dir=out, seed=args.seed,
                             **options)
    except (DataNotFoundError, DataCorruptError, OptionError) as error:
        _remove_if_empty(created)
        raise UsageError(str(error).replace("\n", " ")) from None
    except BaseException:
        _remove_if_empty(created)
        raise
    summary = {"experiment": args.experiment, "profile": profile,
               "seconds": round(time.perf_counter() - start, 1), "seed": args.seed,
               **_json_number(dict(metrics))}
    # allow_nan=False: a non-finite number that escaped _json_number fails here, loudly,
    # instead of printing a line that strict JSON parsers refuse.
    _files.write_text(out / "metrics.json", json.dumps(summary, indent=2, allow_nan=False) + "\n")
    print(json.dumps(summary, allow_nan=False), flush=True)
    if record_dir is not None:
        arguments = {"profile": profile, "seed": args.seed, **options}
        metrics = {k: v for k, v in summary.items()
                   if k not in ("experiment", "profile", "seconds", "seed")}
        path = results.write_record(record_dir, results.make_record(
            args.experiment, arguments, metrics, summary["seconds"], commit=commit))
        print(f"[rnn_keras] results record: {path}", flush=True)


def main(argv=None):
    try:
        args = _parser().parse_args(argv)
        if args.command == "list":
            from rnn_keras import experiments

            for name, (_, description) in sorted(experiments.EXPERIMENTS.items()):
                print(f"{name}\t{description}")
            return 0
        _run(args)
        return 0
    except UsageError as error:
        print(f"rnn_keras: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
