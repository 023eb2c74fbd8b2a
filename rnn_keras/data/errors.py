class DataNotFoundError(FileNotFoundError):
    """A data set is neither in the data directory nor reachable online.

    The message names the variable to set (``RNN_KERAS_DATA_DIR``), the file
    expected there and the URL it comes from.
    """
