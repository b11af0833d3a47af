"""Fixtures of the package tests: the sdist and wheel, built once per test session."""

from __future__ import annotations

import pytest
from fresh_env import Dists, build_dists


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """The sdist and wheel, built once per test session into a temporary folder."""
    return build_dists(tmp_path_factory.mktemp("dist"))
