"""The Kaggle house-price data (checked by SHA-1) and the book's feature preprocessing."""

from __future__ import annotations

import os

import pandas as pd
import torch

from d2lref import config
from d2lref.data._checksums import verify_file
from d2lref.data.errors import DataNotFoundError

__all__ = ["KAGGLE_HOUSE_FILES", "load_kaggle_house", "preprocess_house_features"]

KAGGLE_HOUSE_FILES = {
    # SHA-1 values recorded by the book for the two files.
    "kaggle_house_pred_train.csv": "585e9cc93e70b39160e7921475f9bcd7d31219ce",
    "kaggle_house_pred_test.csv": "fa19780a7b011d9b009e8bff8e99922a8ee2eb90",
}


def load_kaggle_house(
    root: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(train_df, test_df)`` read from ``<data root>/kaggle_house/``.

    The training frame has 1460 rows and 81 columns (``Id``, 79 features, ``SalePrice``),
    the test frame 1459 rows and 80 columns. Both files are checked by SHA-1.
    """
    folder = config.data_root(root) / "kaggle_house"
    missing = [name for name in KAGGLE_HOUSE_FILES if not (folder / name).is_file()]
    if missing:
        raise DataNotFoundError(
            f"Kaggle house-price files not found: {', '.join(missing)} must be in the folder "
            f"{folder}. Fix: copy the competition's train/test CSV files there under these "
            "names, or point the loader at the folder that contains kaggle_house/ with the "
            "root= argument or the D2LREF_DATA environment variable."
        )
    for name, sha1 in KAGGLE_HOUSE_FILES.items():
        verify_file(folder / name, sha1, "sha1", "Kaggle house prices")
    train_df = pd.read_csv(folder / "kaggle_house_pred_train.csv")
    test_df = pd.read_csv(folder / "kaggle_house_pred_test.csv")
    return train_df, test_df


def preprocess_house_features(
    train_df: pd.DataFrame, test_df: pd.DataFrame
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The book's preprocessing: ``(train_features, test_features, train_labels)``.

    ``Id`` and ``SalePrice`` are dropped from the features; numeric columns are standardized
    with the mean and standard deviation over train and test together, then missing values
    become 0 (the mean); categorical columns are one-hot encoded with a column for "missing"
    (``dummy_na=True``). All three tensors are float32; labels are shaped ``(n, 1)``.
    """
    if "SalePrice" not in train_df.columns:
        raise ValueError("train_df has no SalePrice column; pass the training frame first.")
    all_features = pd.concat((train_df.drop(columns=["Id", "SalePrice"]),
                              test_df.drop(columns=["Id"], errors="ignore")))
    numeric_columns = all_features.select_dtypes(include="number").columns
    all_features[numeric_columns] = all_features[numeric_columns].apply(
        lambda column: (column - column.mean()) / column.std())
    # After standardizing every mean is 0, so a missing value is set to the mean.
    all_features[numeric_columns] = all_features[numeric_columns].fillna(0)
    # pandas >= 2 makes bool dummy columns: cast everything to float before building tensors.
    all_features = pd.get_dummies(all_features, dummy_na=True).astype("float32")
    n_train = train_df.shape[0]
    values = torch.tensor(all_features.to_numpy(), dtype=torch.float32)
    train_labels = torch.tensor(train_df["SalePrice"].to_numpy().reshape(-1, 1),
                                dtype=torch.float32)
    return values[:n_train], values[n_train:], train_labels
