"""The Kaggle house-price loader and the book's preprocessing."""

from __future__ import annotations

import pytest
import torch

from d2lref.data import (
    ChecksumMismatchError,
    DataNotFoundError,
    load_kaggle_house,
    preprocess_house_features,
)


def test_house_frames_and_features(kaggle_house_root):
    train_df, test_df = load_kaggle_house(kaggle_house_root)
    assert train_df.shape == (1460, 81) and test_df.shape == (1459, 80)
    assert train_df["SalePrice"].mean() == pytest.approx(180921.20, abs=0.01)
    train_features, test_features, train_labels = preprocess_house_features(train_df, test_df)
    assert train_features.dtype == test_features.dtype == train_labels.dtype == torch.float32
    assert train_features.shape[0] == 1460 and test_features.shape[0] == 1459
    assert train_features.shape[1] == test_features.shape[1] == 330  # the book's 330 features
    assert train_labels.shape == (1460, 1)
    assert not torch.isnan(train_features).any() and not torch.isnan(test_features).any()
    # Numeric columns are standardised over train and test together.
    all_lot_area = torch.cat([train_features, test_features])[:, 2]
    raw_lot_area = torch.tensor(
        list(train_df["LotArea"]) + list(test_df["LotArea"]), dtype=torch.float64)
    expected = (raw_lot_area - raw_lot_area.mean()) / raw_lot_area.std()
    assert torch.allclose(all_lot_area.double(), expected, atol=1e-5)


def test_missing_house_files(tmp_path):
    with pytest.raises(DataNotFoundError, match="(?s)kaggle_house_pred_train.csv.*D2LREF_DATA"):
        load_kaggle_house(tmp_path)


def test_damaged_house_file(kaggle_house_root, tmp_path):
    folder = tmp_path / "kaggle_house"
    folder.mkdir()
    source = kaggle_house_root / "kaggle_house"
    (folder / "kaggle_house_pred_train.csv").symlink_to(source / "kaggle_house_pred_train.csv")
    text = (source / "kaggle_house_pred_test.csv").read_text()
    (folder / "kaggle_house_pred_test.csv").write_text(text.replace("NA", "", 1))
    with pytest.raises(ChecksumMismatchError, match="kaggle_house_pred_test.csv.*SHA1"):
        load_kaggle_house(tmp_path)
