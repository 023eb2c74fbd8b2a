"""Argument checks shared by layers and builders: one message format everywhere.

Each raises ``ValueError("Received an invalid value for argument `name`:
value. Expected ...")``, naming the argument, what was passed and what is
allowed.
"""


def _invalid(name, value, expected):
    return ValueError(
        f"Received an invalid value for argument `{name}`: {value!r}. Expected {expected}."
    )


def check_choice(name, value, allowed):
    if not isinstance(value, str) or value.lower() not in allowed:
        raise _invalid(name, value, f"one of {allowed}")
    return value.lower()


def check_positive_int(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _invalid(name, value, "a positive integer")
    return value


def check_nonnegative_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid(name, value, "an integer >= 0")
    return value


def check_nonnegative(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise _invalid(name, value, "a number >= 0")
    return value


def check_rate(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise _invalid(name, value, "a float in [0, 1)")
    return float(value)


def check_bool(name, value):
    if not isinstance(value, bool):
        raise _invalid(name, value, "True or False")
    return value


def check_seed(name, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise _invalid(name, value, "an integer or None")
    return value


def check_positive_ints(name, values, length=None):
    """A non-empty tuple of positive ints (``length`` of them, if given)."""
    try:
        values = tuple(values)
    except TypeError:
        raise _invalid(name, values, "a list of positive integers") from None
    if (not values or (length is not None and len(values) != length)
            or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0
                       for v in values)):
        count = f"{length} " if length else "a non-empty list of "
        raise _invalid(name, values, f"{count}positive integers")
    return values


def check_image_shape(name, value):
    """``(height, width, channels)`` of positive ints."""
    return check_positive_ints(name, value, length=3)


class OptionError(ValueError):
    """A run option an experiment cannot take; the CLI reports it in one line (exit 2)."""


def check_option(check, name, value, *args, **kwargs):
    """``check(name, value, ...)`` for a run option: its ``ValueError`` becomes an
    :class:`OptionError`, so the CLI answers in one line (exit 2), never a traceback."""
    try:
        return check(name, value, *args, **kwargs)
    except ValueError as error:
        raise OptionError(str(error)) from None
