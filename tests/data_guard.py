"""What a test does when the real data sets are missing: one rule for every test."""

from __future__ import annotations

import os

import pytest

# CI sets D2LREF_REQUIRE_DATA=1 (.ci/run, the GitHub workflow): there a missing data set fails
# the tests that need it instead of skipping them unseen. Elsewhere they skip, saying why.
REQUIRE_DATA = os.environ.get("D2LREF_REQUIRE_DATA") == "1"


def missing_data(message: str) -> None:
    """Skip the test (or fail it where CI requires the data) because ``message``."""
    hint = " (see README.md, 'Data root and run mode')"
    if REQUIRE_DATA:
        pytest.fail(message + hint + "; D2LREF_REQUIRE_DATA=1 makes this a failure")
    pytest.skip(message + hint)
