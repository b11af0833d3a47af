"""Shared test setup: headless plotting, no downloads, figures kept out of the working tree,
data fixtures."""

from __future__ import annotations

import os
import pathlib
import shutil
from collections.abc import Callable

import matplotlib

# Tests never open windows; set before anything imports pyplot.
matplotlib.use("Agg")

# The suite never downloads: with D2LREF_OFFLINE=1 (set before d2lref is imported, and
# inherited by every kernel and subprocess a test starts) a loader that misses a file fails
# at once with a clear error instead of reaching the network. Download tests switch it off
# for themselves and serve the files from 127.0.0.1. A reader's mirror or timeout settings
# must not change what the tests see either.
os.environ["D2LREF_OFFLINE"] = "1"
for _variable in ("D2LREF_ALLOW_DOWNLOAD", "D2LREF_DATA_URL", "D2LREF_CONNECT_TIMEOUT",
                  "D2LREF_READ_TIMEOUT", "D2LREF_DOWNLOAD_ATTEMPTS", "D2LREF_DOWNLOAD_BACKOFF",
                  "D2LREF_DOWNLOAD_MIN_RATE"):
    os.environ.pop(_variable, None)

import pytest  # noqa: E402

# The built site (built_site, site_url, mkdocs_build), which the site, page and package tests
# use, and the browser (browser_context, tab) of the browser tests.
pytest_plugins = ["tests.site.fixtures", "tests.site.browser"]

from tests.data_guard import missing_data  # noqa: E402


@pytest.fixture(autouse=True)
def _figures_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Figures saved by headless plotting go to a temporary folder, not the repository."""
    if "D2LREF_FIGURE_DIR" not in os.environ:
        monkeypatch.setenv("D2LREF_FIGURE_DIR", str(tmp_path_factory.getbasetemp() / "figures"))
    yield
    from matplotlib import pyplot as plt

    plt.close("all")


@pytest.fixture
def quick_mode(monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test in quick mode (small subsets, at most 2 epochs)."""
    monkeypatch.setenv("D2LREF_MODE", "quick")
    return "quick"


def _data_root() -> pathlib.Path:
    from d2lref import config

    return config.data_root()


@pytest.fixture(scope="session")
def data_root() -> pathlib.Path:
    """The real data root (``D2LREF_DATA``, else d2lref's per-user cache folder)."""
    root = _data_root()
    if not root.is_dir():
        missing_data(f"data root {root} not found: set D2LREF_DATA to the folder holding "
                     "FashionMNIST/raw and kaggle_house")
    return root


@pytest.fixture(scope="session")
def fashion_mnist_root(data_root: pathlib.Path) -> pathlib.Path:
    """The data root, when it holds the four Fashion-MNIST files (and their ``.gz``)."""
    raw = data_root / "FashionMNIST" / "raw"
    names = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte")
    missing = [name for name in names
               for file in (name, f"{name}.gz") if not (raw / file).is_file()]
    if missing:
        missing_data(f"Fashion-MNIST files {sorted(set(missing))} not found in {raw}")
    return data_root


@pytest.fixture(scope="session")
def kaggle_house_root(data_root: pathlib.Path) -> pathlib.Path:
    """The data root, when it holds the Kaggle house-price CSV files."""
    folder = data_root / "kaggle_house"
    names = ("kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv")
    if not all((folder / name).is_file() for name in names):
        missing_data(f"kaggle_house CSV files not found in {folder}")
    return data_root


@pytest.fixture(scope="session")
def real_data(fashion_mnist_root: pathlib.Path, kaggle_house_root: pathlib.Path) -> pathlib.Path:
    """The data root with both data sets: what running the book's snippets needs."""
    return fashion_mnist_root


@pytest.fixture(scope="session")
def built_once(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str, Callable[[pathlib.Path], object]], pathlib.Path]:
    """``built_once(name, build)``: a folder that ``build(folder)`` fills once per test run.

    pytest-xdist's workers share the run's temporary root: the first worker to ask builds
    under a file lock, the others wait on it and take the same folder (two site builds at once
    would corrupt the notebook cache). A build that fails leaves no mark: the next worker that
    asks builds again.
    """

    def build_once(name: str, build: Callable[[pathlib.Path], object]) -> pathlib.Path:
        if "PYTEST_XDIST_WORKER" not in os.environ:
            folder = tmp_path_factory.mktemp(name)
            build(folder)
            return folder
        from filelock import FileLock

        shared = tmp_path_factory.getbasetemp().parent
        folder, done = shared / name, shared / f"{name}.built"
        with FileLock(str(shared / f"{name}.lock")):
            if not done.is_file():
                shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
                folder.mkdir()
                build(folder)
                done.touch()
        return folder

    return build_once
