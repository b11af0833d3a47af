"""The errors a data loader raises; each message says what is wrong and how to fix it."""

from __future__ import annotations

__all__ = ["ChecksumMismatchError", "DataError", "DataNotFoundError", "DownloadError"]


class DataError(RuntimeError):
    """A data set cannot be loaded (base class of d2lref's data errors)."""


class DataNotFoundError(DataError, FileNotFoundError):
    """The data files are not where the loader looks for them."""


class ChecksumMismatchError(DataError):
    """A data file exists but its content differs from the published release."""


class DownloadError(DataError, ConnectionError):
    """A download failed after its attempts; the message names the URL and the fix."""

    def __init__(self, message: str, *, failure: str = "") -> None:
        super().__init__(message)
        self.failure = failure or message
        """What failed, without the fix: the addresses tried, attempts and last error."""
