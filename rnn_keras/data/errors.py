"""Errors of the data loaders: what is wrong and what to do, in one sentence."""


class DataNotFoundError(FileNotFoundError):
    """A data set is neither in the data directory nor reachable online.

    The message names the variable to set (``RNN_KERAS_DATA_DIR``), the file
    expected there and the URL it comes from.
    """


class DataCorruptError(ValueError):
    """A data file exists but fails its checksum or cannot be read.

    The message names the file and how to replace it.
    """
