"""Executable claims: a notebook states a result only after checking it on its own run.

    from rnn_keras.claims import claim
    claim(acc > baseline + 0.05, "the GRU beats the majority class by 5 points",
          accuracy=acc, baseline=baseline)

prints ``CLAIM ✓ the GRU beats ... (accuracy=0.873, baseline=0.087)``;
when the condition is false it raises :class:`ClaimError`
with the same numbers, so nbval fails the cell the day a change makes the
sentence below it false.
"""

import math
import numbers


class ClaimError(AssertionError):
    """A sentence in a notebook is no longer supported by the numbers of its run."""


def _format(value):
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}"
    return repr(value)


def claim(condition, statement, **numbers_):
    """Checks ``condition``; prints ``statement`` with its numbers, or raises.

    Args:
        condition: the result of the check (anything with a truth value).
        statement: the sentence the notebook is about to state, in words.
        **numbers_: the numbers the check used, shown beside the statement.

    Returns ``None`` (so a notebook cell ending in a claim shows only its line).

    Raises:
        ClaimError: when it does not, naming the statement and the numbers.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError(f"Expected a non-empty statement, got {statement!r}.")
    shown = ", ".join(f"{k}={_format(v)}" for k, v in numbers_.items())
    text = statement + (f" ({shown})" if shown else "")
    if not bool(condition):
        raise ClaimError(f"Claim no longer holds for this run: {text}")
    print(f"CLAIM \u2713 {text}")
