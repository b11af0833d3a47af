"""Tests of d2lref.training.house_prices against hand computations and simple baselines."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import torch
from torch import nn

from d2lref.training.house_prices import (
    KFoldResult,
    get_k_fold_data,
    house_price_net,
    k_fold,
    log_rmse,
    train_and_pred,
    train_house_prices,
)


@pytest.fixture(autouse=True)
def _full_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # The epoch counts below are what the tests rely on: do not let quick mode cap them.
    monkeypatch.setenv("D2LREF_MODE", "full")


def _synthetic_prices(n: int = 120, d: int = 4, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Positive 'prices' that a linear model fits well: y = 20 + X w, X standardised."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=gen)
    w = torch.tensor([3.0, -2.0, 1.5, 0.5])[:d].reshape(-1, 1)
    y = 20 + X @ w + 0.1 * torch.randn(n, 1, generator=gen)
    return X, y


@pytest.mark.parametrize("n,k", [(10, 5), (11, 5), (1460, 5), (7, 3)])
def test_get_k_fold_data_partitions_exactly(n: int, k: int) -> None:
    X = torch.arange(n, dtype=torch.float32).reshape(n, 1)
    y = X * 10
    seen: list[int] = []
    for i in range(k):
        X_train, y_train, X_valid, y_valid = get_k_fold_data(k, i, X, y)
        assert X_train.shape[0] + X_valid.shape[0] == n
        assert torch.equal(y_train, X_train * 10) and torch.equal(y_valid, X_valid * 10)
        train_ids = set(X_train.flatten().long().tolist())
        valid_ids = set(X_valid.flatten().long().tolist())
        assert train_ids.isdisjoint(valid_ids)
        assert train_ids | valid_ids == set(range(n))
        # fold sizes differ by at most one
        assert X_valid.shape[0] in (n // k, n // k + 1)
        seen.extend(sorted(valid_ids))
    # every example validates exactly once, folds in order
    assert seen == list(range(n))


def test_get_k_fold_data_matches_book_when_divisible() -> None:
    X = torch.arange(20, dtype=torch.float32).reshape(10, 2)
    y = torch.arange(10, dtype=torch.float32).reshape(10, 1)
    X_train, _, X_valid, y_valid = get_k_fold_data(5, 2, X, y)
    assert torch.equal(X_valid, X[4:6]) and torch.equal(y_valid, y[4:6])
    assert torch.equal(X_train, torch.cat([X[:4], X[6:]]))


def test_get_k_fold_data_rejects_bad_arguments() -> None:
    X, y = torch.zeros(10, 2), torch.zeros(10, 1)
    with pytest.raises(ValueError, match="k >= 2"):
        get_k_fold_data(1, 0, X, y)
    with pytest.raises(ValueError, match="fold index"):
        get_k_fold_data(5, 5, X, y)
    with pytest.raises(ValueError, match="rows"):
        get_k_fold_data(5, 0, X, torch.zeros(9, 1))


def test_log_rmse_against_hand_computation() -> None:
    labels = torch.tensor([[100.0], [200.0], [50.0]])
    preds = torch.tensor([[110.0], [180.0], [0.5]])  # the last one is clipped to 1
    expected = math.sqrt(((math.log(110) - math.log(100)) ** 2
                          + (math.log(180) - math.log(200)) ** 2
                          + (math.log(1) - math.log(50)) ** 2) / 3)
    got = log_rmse(lambda _features: preds, torch.zeros(3, 2), labels)
    assert got == pytest.approx(expected, rel=1e-6)
    # a perfect prediction has zero error
    assert log_rmse(lambda _features: labels, torch.zeros(3, 2), labels) == pytest.approx(0.0)


def test_log_rmse_rejects_bad_labels() -> None:
    with pytest.raises(ValueError, match=r"shape \(n, 1\)"):
        log_rmse(lambda f: f, torch.zeros(3, 1), torch.ones(3))
    with pytest.raises(ValueError, match="positive"):
        log_rmse(lambda f: f, torch.zeros(3, 1), torch.zeros(3, 1))


def test_train_house_prices_fits_a_linear_target() -> None:
    torch.manual_seed(0)
    X, y = _synthetic_prices()
    net = house_price_net(X.shape[1])
    train_ls, test_ls = train_house_prices(net, X[:100], y[:100], X[100:], y[100:],
                                           num_epochs=60, learning_rate=0.5,
                                           weight_decay=0, batch_size=16)
    assert len(train_ls) == len(test_ls) == 60
    assert train_ls[-1] < 0.01 < train_ls[0]
    assert test_ls[-1] < 0.01
    # without test labels there is no test curve
    train_only, none = train_house_prices(house_price_net(4), X, y, None, None, 2, 0.5, 0, 16)
    assert len(train_only) == 2 and none == []


def test_k_fold_beats_the_all_zero_predictor() -> None:
    torch.manual_seed(0)
    X, y = _synthetic_prices(n=100)
    # predicting 0 is clipped to 1: its log-RMSE is the root mean square of log(y)
    zero_predictor = math.sqrt(float((torch.log(y) ** 2).mean()))
    assert log_rmse(lambda f: torch.zeros(len(f), 1), X, y) == pytest.approx(zero_predictor)
    result = k_fold(5, X, y, num_epochs=40, learning_rate=1.0, weight_decay=0, batch_size=16,
                    plot_first_fold=False, verbose=False)
    assert isinstance(result, KFoldResult)
    train_l, valid_l = result
    assert math.isfinite(train_l) and math.isfinite(valid_l)
    assert valid_l < 0.02 < zero_predictor / 100
    assert len(result.fold_train_curves) == 5
    assert all(len(curve) == 40 for curve in result.fold_valid_curves)
    # the averages are the means of each fold's last epoch
    assert train_l == pytest.approx(sum(c[-1] for c in result.fold_train_curves) / 5)


def test_train_and_pred_writes_submission(tmp_path, capsys) -> None:
    torch.manual_seed(0)
    X, y = _synthetic_prices(n=60)
    test_data = pd.DataFrame({"Id": range(1461, 1471), "OtherColumn": range(10)})
    path = tmp_path / "submission.csv"
    submission = train_and_pred(X[:50], X[50:], y[:50], test_data, 60, 1.0, 0, 8,
                                path=str(path), plot_curve=False)
    assert "train log rmse" in capsys.readouterr().out
    written = pd.read_csv(path)
    assert list(written.columns) == ["Id", "SalePrice"]
    assert written["Id"].tolist() == list(range(1461, 1471))
    # the predictions are close to the true linear prices
    assert torch.allclose(torch.tensor(written["SalePrice"].to_numpy(), dtype=torch.float32),
                          y[50:].reshape(-1), atol=1.0)
    assert list(test_data.columns) == ["Id", "OtherColumn"]  # input left unchanged
    assert len(submission) == 10


def test_train_and_pred_rejects_mismatched_test_data(tmp_path) -> None:
    X, y = _synthetic_prices(n=20)
    with pytest.raises(ValueError, match="rows"):
        train_and_pred(X, X[:5], y, pd.DataFrame({"Id": range(3)}), 1, 0.5, 0, 4,
                       path=str(tmp_path / "s.csv"), plot_curve=False)


def test_house_price_net_is_linear() -> None:
    net = house_price_net(7)
    assert isinstance(net[0], nn.Linear)
    assert net[0].in_features == 7 and net[0].out_features == 1
    with pytest.raises(ValueError):
        house_price_net(0)


def test_k_fold_on_the_real_house_data(kaggle_house_root) -> None:
    from d2lref.data import load_kaggle_house, preprocess_house_features

    train_df, test_df = load_kaggle_house(kaggle_house_root)
    features, _, labels = preprocess_house_features(train_df, test_df)
    zero_predictor = log_rmse(lambda f: torch.zeros(len(f), 1), features, labels)
    # clipped to 1, predicting 0 scores sqrt(mean(log(price)^2)), about 12 for these prices
    assert zero_predictor == pytest.approx(
        math.sqrt(float((torch.log(labels.double()) ** 2).mean())), rel=1e-5)
    torch.manual_seed(0)
    train_l, valid_l = k_fold(5, features, labels, num_epochs=10, learning_rate=5,
                              weight_decay=0, batch_size=64, plot_first_fold=False,
                              verbose=False)
    assert math.isfinite(train_l) and math.isfinite(valid_l)
    assert valid_l < zero_predictor / 3


def test_k_fold_plots_the_first_fold(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import d2lref.plotting

    calls = []
    monkeypatch.setattr(d2lref.plotting, "plot", lambda *args, **kwargs: calls.append(kwargs))
    X, y = _synthetic_prices(n=40)
    k_fold(4, X, y, num_epochs=3, learning_rate=1.0, weight_decay=0, batch_size=8)
    assert len(calls) == 1 and calls[0]["legend"] == ["train", "valid"]
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in printed] == ["fold 1", "fold 2", "fold 3", "fold 4"]


def test_quick_mode_caps_the_epochs(monkeypatch: pytest.MonkeyPatch) -> None:
    from d2lref import config

    monkeypatch.setenv("D2LREF_MODE", "quick")
    X, y = _synthetic_prices(n=20)
    train_ls, valid_ls = train_house_prices(house_price_net(4), X, y, X, y, 100, 0.5, 0, 8)
    assert len(train_ls) == len(valid_ls) == min(100, config.QUICK_MAX_EPOCHS)
