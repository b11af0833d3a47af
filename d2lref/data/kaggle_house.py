"""The Kaggle house-price data (checked by SHA-1, downloaded when missing) and the book's
feature preprocessing."""

from __future__ import annotations

import os

import pandas as pd
import torch

from d2lref import config
from d2lref.data._checksums import verify_file
from d2lref.data.hub import DATA_HUB, DATA_URL, mirror_path
from d2lref.data.remote import RemoteFile, fetch_files

__all__ = [
    "KAGGLE_HOUSE_FILES", "fetch_kaggle_house", "load_kaggle_house", "preprocess_house_features",
]

KAGGLE_HOUSE_FILES = {
    # SHA-1 values recorded by the book for the two files (the same as in DATA_HUB).
    "kaggle_house_pred_train.csv": DATA_HUB["kaggle_house_train"][1],
    "kaggle_house_pred_test.csv": DATA_HUB["kaggle_house_test"][1],
}


def fetch_kaggle_house(
    root: str | os.PathLike[str] | None = None, *, download: bool | None = None,
) -> list[str]:
    """Make both CSV files present and verified in ``<data root>/kaggle_house/``.

    Missing files are downloaded unless downloads are off (see
    :func:`d2lref.config.downloads_off_reason`); returns the names downloaded now.
    """
    folder = config.data_root(root) / "kaggle_house"
    missing = [name for name in KAGGLE_HOUSE_FILES if not (folder / name).is_file()]
    for name, sha1 in KAGGLE_HOUSE_FILES.items():
        if name not in missing:  # a damaged file is reported, never overwritten
            verify_file(folder / name, sha1, "sha1", "Kaggle house prices")
    fetch_files("Kaggle house prices", [
        RemoteFile(folder / name, DATA_URL + name, KAGGLE_HOUSE_FILES[name], "sha1",
                   mirror_path(DATA_URL + name))
        for name in missing
    ], download=download)
    return missing


def load_kaggle_house(
    root: str | os.PathLike[str] | None = None, *, download: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(train_df, test_df)`` read from ``<data root>/kaggle_house/``.

    The training frame has 1460 rows and 81 columns (``Id``, 79 features,
    ``SalePrice``), the test frame 1459 rows and 80 columns. Both files are checked by
    SHA-1; missing ones are downloaded unless downloads are off (``download=False``,
    ``D2LREF_OFFLINE=1``).
    """
    fetch_kaggle_house(root, download=download)
    folder = config.data_root(root) / "kaggle_house"
    train_df = pd.read_csv(folder / "kaggle_house_pred_train.csv")
    test_df = pd.read_csv(folder / "kaggle_house_pred_test.csv")
    return train_df, test_df


def preprocess_house_features(
    train_df: pd.DataFrame, test_df: pd.DataFrame
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The book's preprocessing: ``(train_features, test_features, train_labels)``.

    ``Id`` and ``SalePrice`` are dropped from the features; numeric columns are
    standardized with the mean and standard deviation over train and test together, then
    missing values become 0 (the mean); categorical columns are one-hot encoded with a
    column for "missing" (``dummy_na=True``). All three tensors are float32; labels are
    shaped ``(n, 1)``.
    """
    if "SalePrice" not in train_df.columns:
        raise ValueError(
            "train_df has no SalePrice column; pass the training frame first."
        )
    all_features = pd.concat((train_df.drop(columns=["Id", "SalePrice"]),
                              test_df.drop(columns=["Id"], errors="ignore")))
    numeric_columns = all_features.select_dtypes(include="number").columns
    all_features[numeric_columns] = all_features[numeric_columns].apply(
        lambda column: (column - column.mean()) / column.std())
    # After standardizing every mean is 0, so a missing value is set to the mean.
    all_features[numeric_columns] = all_features[numeric_columns].fillna(0)
    # pandas >= 2 makes bool dummy columns: cast everything to float before building
    # tensors.
    all_features = pd.get_dummies(all_features, dummy_na=True).astype("float32")
    n_train = train_df.shape[0]
    values = torch.tensor(all_features.to_numpy(), dtype=torch.float32)
    train_labels = torch.tensor(train_df["SalePrice"].to_numpy().reshape(-1, 1),
                                dtype=torch.float32)
    return values[:n_train], values[n_train:], train_labels
