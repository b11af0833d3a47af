"""Kaggle house prices: the book's linear model, log-RMSE, Adam training and K-fold validation.

The functions follow the book's section "Predicting House Prices on Kaggle" with the same
names and argument order (``train`` is called ``train_house_prices`` here so that the facade
``d2lref.torch`` keeps a name that says what it trains). They return their curves and scores
as values; ``k_fold`` and ``train_and_pred`` also print and plot as the book does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd
import torch
from torch import nn
from torch.utils import data

__all__ = [
    "house_price_net",
    "log_rmse",
    "train_house_prices",
    "get_k_fold_data",
    "k_fold",
    "KFoldResult",
    "train_and_pred",
]


def _check_features_labels(features: torch.Tensor, labels: torch.Tensor, what: str) -> None:
    """Raise a clear error when features and labels cannot be a regression data set."""
    if features.ndim != 2:
        raise ValueError(
            f"{what}: features must be a 2-d tensor (examples x features), got shape "
            f"{tuple(features.shape)}; reshape it with features.reshape(len(features), -1)."
        )
    if labels.ndim != 2 or labels.shape[1] != 1:
        raise ValueError(
            f"{what}: labels must have shape (n, 1), got {tuple(labels.shape)}; "
            "use labels.reshape(-1, 1)."
        )
    if features.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{what}: {features.shape[0]} feature rows but {labels.shape[0]} labels; "
            "pass features and labels of the same examples."
        )


def house_price_net(in_features: int) -> nn.Module:
    """The book's ``get_net``: a linear model ``nn.Linear(in_features, 1)``."""
    if in_features < 1:
        raise ValueError(f"in_features must be at least 1, got {in_features}.")
    return nn.Sequential(nn.Linear(in_features, 1))


def log_rmse(net: Callable[[torch.Tensor], torch.Tensor], features: torch.Tensor,
             labels: torch.Tensor) -> float:
    """Root-mean-squared error between the logarithms of predictions and labels.

    Predictions below 1 are clipped to 1 first: the log of a negative prediction does
    not exist, and a price below one dollar is as wrong as a price of one dollar.
    """
    _check_features_labels(features, labels, "log_rmse")
    if bool((labels <= 0).any()):
        raise ValueError(
            "log_rmse: labels must be positive prices (their log is taken)."
        )
    with torch.no_grad():
        clipped_preds = torch.clamp(net(features), 1, float("inf"))
        rmse = torch.sqrt(
            nn.functional.mse_loss(torch.log(clipped_preds), torch.log(labels))
        )
    return rmse.item()


def train_house_prices(
    net: nn.Module,
    train_features: torch.Tensor,
    train_labels: torch.Tensor,
    test_features: torch.Tensor | None,
    test_labels: torch.Tensor | None,
    num_epochs: int,
    learning_rate: float,
    weight_decay: float,
    batch_size: int,
) -> tuple[list[float], list[float]]:
    """The book's ``train``: minibatch Adam on squared loss, log-RMSE every epoch.

    Returns ``(train_ls, test_ls)``, one log-RMSE per epoch (``test_ls`` is empty when
    ``test_labels`` is None). The number of epochs goes through
    ``config.effective_epochs``, so the quick mode trains for fewer epochs with the same
    code.
    """
    from d2lref.config import effective_epochs

    _check_features_labels(train_features, train_labels, "train_house_prices")
    if test_labels is not None:
        if test_features is None:
            raise ValueError(
                "train_house_prices: test_labels given without test_features."
            )
        _check_features_labels(test_features, test_labels, "train_house_prices (test)")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    num_epochs = effective_epochs(num_epochs)
    loss = nn.MSELoss()
    train_iter = data.DataLoader(data.TensorDataset(train_features, train_labels),
                                 batch_size=batch_size, shuffle=True)
    # Adam is far less sensitive to the learning rate than plain SGD on these unscaled
    # prices.
    optimizer = torch.optim.Adam(
        net.parameters(), lr=learning_rate, weight_decay=weight_decay
    )
    train_ls: list[float] = []
    test_ls: list[float] = []
    for _ in range(num_epochs):
        for X, y in train_iter:
            optimizer.zero_grad()
            batch_loss = loss(net(X), y)
            batch_loss.backward()
            optimizer.step()
        train_ls.append(log_rmse(net, train_features, train_labels))
        if test_labels is not None:
            test_ls.append(  # test labels come with test features
                log_rmse(net, test_features, test_labels))  # type: ignore[arg-type]
    return train_ls, test_ls


def get_k_fold_data(k: int, i: int, X: torch.Tensor, y: torch.Tensor
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Split ``(X, y)`` into ``k`` folds in order; fold ``i`` validates, the rest train.

    Returns ``(X_train, y_train, X_valid, y_valid)``. Unlike the book, which drops the
    ``len(X) % k`` last rows, fold sizes differ by at most one, so every example is used
    for validation exactly once over ``i = 0, ..., k - 1`` (with 1460 examples and k = 5
    the folds are the book's).
    """
    if k < 2:
        raise ValueError(f"k-fold cross-validation needs k >= 2 folds, got k={k}.")
    if not 0 <= i < k:
        raise ValueError(f"fold index i must be in 0..{k - 1}, got i={i}.")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} rows but y has {y.shape[0]}; they must match."
        )
    if X.shape[0] < k:
        raise ValueError(
            f"cannot split {X.shape[0]} examples into k={k} non-empty folds."
        )
    fold_sizes = [X.shape[0] // k + (1 if j < X.shape[0] % k else 0) for j in range(k)]
    start = sum(fold_sizes[:i])
    stop = start + fold_sizes[i]
    X_valid, y_valid = X[start:stop], y[start:stop]
    X_train = torch.cat([X[:start], X[stop:]], 0)
    y_train = torch.cat([y[:start], y[stop:]], 0)
    return X_train, y_train, X_valid, y_valid


@dataclass
class KFoldResult:
    """Average final-epoch log-RMSE over the folds, plus every fold's curves.

    Unpacks like the book's return value: ``train_l, valid_l = k_fold(...)``.
    """

    train_log_rmse: float
    valid_log_rmse: float
    fold_train_curves: list[list[float]] = field(default_factory=list)
    fold_valid_curves: list[list[float]] = field(default_factory=list)

    def __iter__(self) -> Iterator[float]:
        return iter((self.train_log_rmse, self.valid_log_rmse))


def k_fold(k: int, X_train: torch.Tensor, y_train: torch.Tensor, num_epochs: int,
           learning_rate: float, weight_decay: float, batch_size: int, *,
           net_fn: Callable[[int], nn.Module] = house_price_net,
           plot_first_fold: bool = True, verbose: bool = True) -> KFoldResult:
    """K-fold cross-validation: a fresh model per split, final scores averaged.

    As in the book, the first fold's train and validation curves are plotted (log scale)
    and each fold's final log-RMSE is printed.
    """
    train_curves: list[list[float]] = []
    valid_curves: list[list[float]] = []
    for i in range(k):
        fold_data = get_k_fold_data(k, i, X_train, y_train)
        net = net_fn(X_train.shape[1])
        train_ls, valid_ls = train_house_prices(
            net, *fold_data, num_epochs, learning_rate, weight_decay, batch_size
        )
        train_curves.append(train_ls)
        valid_curves.append(valid_ls)
        if i == 0 and plot_first_fold:
            from d2lref.plotting import plot

            epochs = list(range(1, len(train_ls) + 1))
            plot(epochs, [train_ls, valid_ls], xlabel="epoch", ylabel="log rmse",
                 xlim=[1, len(train_ls)], legend=["train", "valid"], yscale="log")
        if verbose:
            print(f"fold {i + 1}, train log rmse {train_ls[-1]:f}, "
                  f"valid log rmse {valid_ls[-1]:f}")
    return KFoldResult(
        train_log_rmse=sum(curve[-1] for curve in train_curves) / k,
        valid_log_rmse=sum(curve[-1] for curve in valid_curves) / k,
        fold_train_curves=train_curves,
        fold_valid_curves=valid_curves,
    )


def train_and_pred(
    train_features: torch.Tensor,
    test_features: torch.Tensor,
    train_labels: torch.Tensor,
    test_data: pd.DataFrame,
    num_epochs: int,
    lr: float,
    weight_decay: float,
    batch_size: int,
    *,
    net_fn: Callable[[int], nn.Module] = house_price_net,
    path: str = "submission.csv",
    plot_curve: bool = True,
) -> pd.DataFrame:
    """Train on all training data, predict the test set, write a Kaggle submission.

    Writes the columns ``Id`` and ``SalePrice`` to ``path`` (the current directory by
    default) and returns them as a DataFrame; ``test_data`` itself is left unchanged.
    """
    if "Id" not in test_data.columns:
        raise ValueError(
            "train_and_pred: test_data needs the 'Id' column of the raw test CSV."
        )
    if len(test_data) != test_features.shape[0]:
        raise ValueError(
            f"train_and_pred: test_data has {len(test_data)} rows but test_features "
            f"has {test_features.shape[0]}; pass the raw test DataFrame the features "
            "came from."
        )
    net = net_fn(train_features.shape[1])
    train_ls, _ = train_house_prices(net, train_features, train_labels, None, None,
                                     num_epochs, lr, weight_decay, batch_size)
    if plot_curve:
        from d2lref.plotting import plot

        plot(
            list(range(1, len(train_ls) + 1)),
            [train_ls],
            xlabel="epoch",
            ylabel="log rmse",
            xlim=[1, len(train_ls)],
            yscale="log",
        )
    print(f"train log rmse {train_ls[-1]:f}")
    with torch.no_grad():
        preds = net(test_features).reshape(-1).numpy()
    submission = pd.DataFrame({"Id": test_data["Id"].to_numpy(), "SalePrice": preds})
    submission.to_csv(path, index=False)
    return submission
