"""``python -m d2lref.data.fetch``: verifies what it downloads, never replaces a good file,
and reports failures in one line with an exit status."""

from __future__ import annotations

import os
import pathlib
import shutil
import socket

import pytest

from d2lref import config
from d2lref.data.errors import ChecksumMismatchError
from d2lref.data.fetch import fetch_kaggle_house, main

# The real data root; the tests that read it take the real_data fixture (skip or fail
# consistently when it is missing).
DATA = config.data_root()
needs_data = pytest.mark.usefixtures("real_data")


@pytest.fixture
def online(monkeypatch):
    """Downloads on for this test (the suite is offline), from a mirror the test names."""
    monkeypatch.setenv("D2LREF_OFFLINE", "0")
    monkeypatch.setenv("D2LREF_DOWNLOAD_BACKOFF", "0")


@needs_data
def test_fetch_downloads_and_verifies(tmp_path: pathlib.Path, online, monkeypatch):
    # A file:// mirror with the layout of a data root: the real data root itself.
    monkeypatch.setenv("D2LREF_DATA_URL", DATA.resolve().as_uri())
    assert sorted(fetch_kaggle_house(tmp_path)) == [
        "kaggle_house_pred_test.csv", "kaggle_house_pred_train.csv"]
    assert (tmp_path / "kaggle_house" / "kaggle_house_pred_train.csv").stat().st_size == 460676
    # Present and verified: nothing is downloaded again.
    monkeypatch.setenv("D2LREF_DATA_URL", "file:///nowhere/")
    assert fetch_kaggle_house(tmp_path) == []


@needs_data
def test_a_damaged_download_is_rejected_and_removed(tmp_path: pathlib.Path, online,
                                                    monkeypatch):
    source = tmp_path / "mirror" / "kaggle_house"
    source.mkdir(parents=True)
    for name in ("kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv"):
        (source / name).write_text("Id,SalePrice\n1,2\n")
    monkeypatch.setenv("D2LREF_DATA_URL", (tmp_path / "mirror").as_uri())
    root = tmp_path / "root"
    with pytest.raises(ChecksumMismatchError, match="SHA1 expected 585e9cc9"):
        fetch_kaggle_house(root)
    assert list((root / "kaggle_house").iterdir()) == []


def test_offline_fetch_is_refused_with_the_list_first(tmp_path, capsys):
    assert os.environ["D2LREF_OFFLINE"] == "1"  # tests/conftest.py
    assert main(["--root", str(tmp_path), "--yes"]) == 2  # --yes does not beat offline
    err = capsys.readouterr().err
    first, *rest = err.splitlines()
    assert first.startswith("error: Kaggle house prices: 2 files missing")
    assert "Traceback" not in err
    assert "D2LREF_OFFLINE=1" in first and str(tmp_path / "kaggle_house") in first
    assert len(rest) == 5  # the heading, the two files, the mirror and the fixes
    assert not (tmp_path / "kaggle_house").exists()


def test_network_error_comes_first_and_exit_1(tmp_path, online, monkeypatch, capsys):
    # A port nothing listens on: the connection is refused at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("D2LREF_DATA_URL", f"http://127.0.0.1:{port}/")
    monkeypatch.setenv("D2LREF_DOWNLOAD_ATTEMPTS", "2")
    assert main(["--root", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert lines[0].startswith("error: ") and "Traceback" not in err
    assert f"http://127.0.0.1:{port}/kaggle_house/kaggle_house_pred_train.csv" in lines[0]
    assert "2 attempt(s)" in lines[0] and "ConnectionRefusedError" in lines[0]
    assert lines[-2].startswith(f"Mirror: D2LREF_DATA_URL=http://127.0.0.1:{port}/")


@needs_data
def test_fetch_fills_a_fresh_root(tmp_path, online, monkeypatch, capsys):
    mirror = tmp_path / "mirror"
    (mirror / "FashionMNIST" / "raw").mkdir(parents=True)
    for name in ("t10k-labels-idx1-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "train-images-idx3-ubyte"):
        (mirror / "FashionMNIST" / "raw" / f"{name}.gz").symlink_to(
            DATA / "FashionMNIST" / "raw" / f"{name}.gz")
    shutil.copytree(DATA / "kaggle_house", mirror / "kaggle_house")
    monkeypatch.setenv("D2LREF_DATA_URL", mirror.as_uri())
    root = tmp_path / "root"
    assert main(["--root", str(root)]) == 0
    assert f"data sets ready under {root}" in capsys.readouterr().out
    assert (root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").stat().st_size == 47040016
    assert sorted(p.name for p in (root / "kaggle_house").iterdir()) == [
        "kaggle_house_pred_test.csv", "kaggle_house_pred_train.csv"]
