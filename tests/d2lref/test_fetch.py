"""The data fetcher verifies what it downloads and never replaces a good file."""

from __future__ import annotations

import os
import pathlib

import pytest

from d2lref.data.errors import ChecksumMismatchError
from d2lref.data.fetch import fetch_kaggle_house, main

DATA = pathlib.Path(os.environ.get("D2LREF_DATA", "/nonexistent"))
needs_data = pytest.mark.skipif(not (DATA / "kaggle_house").is_dir(),
                                reason="D2LREF_DATA has no kaggle_house/ folder")


@needs_data
def test_fetch_downloads_and_verifies(tmp_path: pathlib.Path):
    source = (DATA / "kaggle_house").resolve().as_uri() + "/"
    assert sorted(fetch_kaggle_house(tmp_path, base_url=source)) == [
        "kaggle_house_pred_test.csv", "kaggle_house_pred_train.csv"]
    assert (tmp_path / "kaggle_house" / "kaggle_house_pred_train.csv").stat().st_size == 460676
    # Present and verified: nothing is downloaded again.
    assert fetch_kaggle_house(tmp_path, base_url="file:///nowhere/") == []


@needs_data
def test_a_damaged_download_is_rejected_and_removed(tmp_path: pathlib.Path):
    source = tmp_path / "mirror"
    source.mkdir()
    for name in ("kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv"):
        (source / name).write_text("Id,SalePrice\n1,2\n")
    root = tmp_path / "root"
    with pytest.raises(ChecksumMismatchError, match="SHA1 expected 585e9cc9"):
        fetch_kaggle_house(root, base_url=source.as_uri() + "/")
    assert list((root / "kaggle_house").iterdir()) == []


def test_downloads_need_permission(monkeypatch, capsys):
    monkeypatch.delenv("D2LREF_ALLOW_DOWNLOAD", raising=False)
    assert main(["--root", "/nonexistent"]) == 2
    assert "D2LREF_ALLOW_DOWNLOAD=1" in capsys.readouterr().err
