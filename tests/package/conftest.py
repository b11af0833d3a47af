"""Fixtures of the package tests: the sdist and wheel, built once per test run."""

from __future__ import annotations

import pytest

from tests.package.fresh_env import Dists, build_dists, find_dists


@pytest.fixture(scope="session")
def dists(built_once) -> Dists:
    """The sdist and wheel, built once per test run (by the first xdist worker that asks)."""
    return find_dists(built_once("d2lref-dist", build_dists))
