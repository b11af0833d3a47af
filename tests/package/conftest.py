"""Fixtures of the package tests: the sdist and wheel, built once per test run."""

from __future__ import annotations

import os
import shutil

import pytest
from filelock import FileLock
from fresh_env import Dists, build_dists, find_dists


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """The sdist and wheel, built once per test run into a temporary folder.

    pytest-xdist's workers share the run's temporary root: the first one to get here builds,
    the others wait on the lock and take the same files.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return build_dists(tmp_path_factory.mktemp("dist"))
    shared = tmp_path_factory.getbasetemp().parent
    out_dir = shared / "d2lref-dist"
    with FileLock(str(shared / "d2lref-dist.lock")):
        if not (shared / "d2lref-dist.built").is_file():
            shutil.rmtree(out_dir, ignore_errors=True)  # what a failed build left
            out_dir.mkdir()
            build_dists(out_dir)
            (shared / "d2lref-dist.built").touch()
    return find_dists(out_dir)
