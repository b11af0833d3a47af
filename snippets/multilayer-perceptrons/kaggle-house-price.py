# %% imports
import tempfile
from pathlib import Path

import pandas as pd
import torch
from torch import nn

from d2lref import torch as d2l

# %% load-data
train_data, test_data = d2l.load_kaggle_house()
print(train_data.shape)
print(test_data.shape)
assert train_data.shape == (1460, 81) and test_data.shape == (1459, 80)

# %% first-rows
print(train_data.iloc[0:4, [0, 1, 2, 3, -3, -2, -1]])

# %% preprocess-teaching
def preprocess_house_features(train_data, test_data):
    """Teaching version of d2l.preprocess_house_features."""
    all_features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))
    numeric = all_features.select_dtypes(include="number").columns
    all_features[numeric] = all_features[numeric].apply(
        lambda x: (x - x.mean()) / (x.std()))  # standardize
    all_features[numeric] = all_features[numeric].fillna(0)  # missing -> the mean, 0
    # One-hot encoding, with a column for "missing"; bool columns become floats.
    all_features = pd.get_dummies(all_features, dummy_na=True).astype("float32")
    n_train = train_data.shape[0]
    features = torch.tensor(all_features.values, dtype=torch.float32)
    labels = train_data.SalePrice.values.reshape(-1, 1)
    labels = torch.tensor(labels, dtype=torch.float32)
    return features[:n_train], features[n_train:], labels

# %% preprocess
train_features, test_features, train_labels = d2l.preprocess_house_features(
    train_data, test_data)
print(train_features.shape, test_features.shape, train_labels.shape)

# %% preprocess-checks
# Recompute the numeric part by hand: standardized over train + test, NaN -> 0.
all_features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))
numeric = all_features.select_dtypes(include='number').columns
lot_frontage = all_features['LotFrontage']
expected = ((lot_frontage - lot_frontage.mean()) / lot_frontage.std()).fillna(0)
column = list(numeric).index('LotFrontage')  # numeric columns come first
assert torch.allclose(
    train_features[:, column],
    torch.tensor(expected.to_numpy()[:1460], dtype=torch.float32),
    atol=1e-5,
)
# Every one-hot column holds only 0 and 1, and every row has no NaN left.
one_hot = train_features[:, len(numeric) :]
assert set(one_hot.unique().tolist()) <= {0.0, 1.0}
assert not torch.isnan(train_features).any()
assert train_features.dtype == torch.float32
# One-hot encoding turns the 79 raw features into a few hundred columns.
assert 300 < train_features.shape[1] == test_features.shape[1] < 400

# %% house-net-teaching
def house_price_net(in_features):
    """Teaching version of d2l.house_price_net: a linear model."""
    return nn.Sequential(nn.Linear(in_features, 1))

# %% model
in_features = train_features.shape[1]
net = d2l.house_price_net(in_features)
net

# %% log-rmse-teaching
def log_rmse(net, features, labels):
    """Teaching version of d2l.log_rmse: RMSE between the logarithms of the prices."""
    with torch.no_grad():
        # Clip predictions below 1 to 1 so that the logarithm is defined.
        clipped_preds = torch.clamp(net(features), 1, float("inf"))
        rmse = torch.sqrt(nn.MSELoss()(torch.log(clipped_preds), torch.log(labels)))
    return rmse.item()

# %% log-rmse-example
# Predicting every house at the mean price: the baseline a model has to beat.
mean_price = train_labels.mean()
baseline = d2l.log_rmse(
    lambda X: torch.full((len(X), 1), mean_price.item()), train_features, train_labels
)
print(f'log rmse of always predicting the mean price: {baseline:f}')
assert 0.35 < baseline < 0.45

# %% train-teaching
def train(net, train_features, train_labels, test_features, test_labels,
          num_epochs, learning_rate, weight_decay, batch_size):
    """Teaching version of d2l.train_house_prices: Adam, log RMSE per epoch."""
    train_ls, test_ls = [], []
    train_iter = d2l.load_array((train_features, train_labels), batch_size)
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate,
                                 weight_decay=weight_decay)
    loss = nn.MSELoss()
    for _ in range(num_epochs):
        for X, y in train_iter:
            optimizer.zero_grad()
            loss(net(X), y).backward()
            optimizer.step()
        train_ls.append(log_rmse(net, train_features, train_labels))
        if test_labels is not None:
            test_ls.append(log_rmse(net, test_features, test_labels))
    return train_ls, test_ls

# %% k-fold-teaching
def get_k_fold_data(k, i, X, y):
    """Teaching version: fold i validates, the other k - 1 folds train."""
    fold_size = X.shape[0] // k  # as in the book: the last len(X) % k rows are dropped
    X_train, y_train = [], []
    for j in range(k):
        idx = slice(j * fold_size, (j + 1) * fold_size)
        if j == i:
            X_valid, y_valid = X[idx], y[idx]
        else:
            X_train.append(X[idx])
            y_train.append(y[idx])
    return torch.cat(X_train, 0), torch.cat(y_train, 0), X_valid, y_valid


def k_fold(k, X_train, y_train, num_epochs, learning_rate, weight_decay, batch_size):
    """Teaching version of d2l.k_fold: mean final train and validation log RMSE."""
    train_l_sum, valid_l_sum = 0.0, 0.0
    for i in range(k):
        data = get_k_fold_data(k, i, X_train, y_train)
        net = d2l.house_price_net(X_train.shape[1])
        train_ls, valid_ls = train(net, *data, num_epochs, learning_rate,
                                   weight_decay, batch_size)
        train_l_sum += train_ls[-1]
        valid_l_sum += valid_ls[-1]
        print(f"fold {i + 1}, train log rmse {train_ls[-1]:f}, "
              f"valid log rmse {valid_ls[-1]:f}")
    return train_l_sum / k, valid_l_sum / k

# %% k-fold
k, num_epochs, lr, weight_decay, batch_size = 5, 100, 5, 0, 64
torch.manual_seed(0)
train_l, valid_l = d2l.k_fold(
    k, train_features, train_labels, num_epochs, lr, weight_decay, batch_size
)
print(
    f'{k}-fold validation: average train log rmse: {float(train_l):f}, '
    f'average valid log rmse: {float(valid_l):f}'
)

# %% k-fold-checks
zero_predictor = d2l.log_rmse(
    lambda X: torch.zeros(len(X), 1), train_features, train_labels
)
print(f'log rmse of always predicting 0: {zero_predictor:f}')
mean_price = train_labels.mean()
mean_predictor = d2l.log_rmse(
    lambda X: mean_price.expand(len(X), 1), train_features, train_labels
)
print(f'log rmse of always predicting the mean price: {mean_predictor:f}')
assert 11 < zero_predictor < 13
assert valid_l < zero_predictor

# %% train-and-pred-teaching
def train_and_pred(train_features, test_features, train_labels, test_data,
                   num_epochs, lr, weight_decay, batch_size):
    """Teaching version of d2l.train_and_pred: train on all data, save predictions."""
    net = house_price_net(train_features.shape[1])
    train_ls, _ = train(net, train_features, train_labels, None, None,
                        num_epochs, lr, weight_decay, batch_size)
    print(f"train log rmse {train_ls[-1]:f}")
    with torch.no_grad():
        preds = net(test_features).reshape(-1).numpy()
    submission = pd.DataFrame({"Id": test_data["Id"], "SalePrice": preds})
    submission.to_csv("submission.csv", index=False)
    return submission

# %% train-and-predict
torch.manual_seed(0)
# A fresh folder, not the current one: running the page leaves no file behind.
csv_path = Path(tempfile.mkdtemp()) / 'submission.csv'
submission = d2l.train_and_pred(train_features, test_features, train_labels, test_data,
                                num_epochs, lr, weight_decay, batch_size, path=csv_path)

# %% submission
with open(csv_path) as f:
    print(''.join(f.readlines()[:5]))
assert len(pd.read_csv(csv_path)) == 1459

# %% [markdown]
# Exercises: answers

# %% exercise-1
import math

# Two predictions, each $10,000 too high: for a $50,000 house and a $500,000 house.
prices = torch.tensor([[50_000.0], [500_000.0]])
off_by_10k = prices + 10_000
for i in range(2):
    row = slice(i, i + 1)
    rmse = (off_by_10k[row] - prices[row]).pow(2).mean().sqrt().item()
    log_error = d2l.log_rmse(lambda X, r=row: off_by_10k[r], prices[row], prices[row])
    print(f"house ${prices[i].item():,.0f}: rmse {rmse:,.0f}, log rmse {log_error:.4f}")
# The log rmse measures relative errors: 20% off versus 2% off.
first = d2l.log_rmse(lambda X: off_by_10k[:1], prices[:1], prices[:1])
assert abs(first - math.log(1.2)) < 1e-6

# %% exercise-2
# Every example is validated exactly once; fold sizes differ by at most one.
for folds in (5, 7):
    valid_rows = [d2l.get_k_fold_data(folds, i, train_features, train_labels)[2]
                  for i in range(folds)]
    sizes = [len(rows) for rows in valid_rows]
    assert sum(sizes) == len(train_features) and max(sizes) - min(sizes) <= 1
    assert torch.equal(torch.cat(valid_rows), train_features)
    print(f"k={folds}: {folds} models, "
          f"validation folds of {sorted(set(sizes))} examples")

# %% exercise-3
# A variant: fit log(price) directly. The squared loss is then the mean squared error of
# the log prices, and the competition's score (log RMSE) is its square root.
X_tr, y_tr, X_va, y_va = d2l.get_k_fold_data(5, 0, train_features, train_labels)
torch.manual_seed(0)
log_net = torch.nn.Linear(X_tr.shape[1], 1)
optimizer = torch.optim.Adam(log_net.parameters(), lr=0.05, weight_decay=1e-3)
for _ in range(300):  # full-batch steps: 1168 examples fit in one batch
    optimizer.zero_grad()
    torch.nn.functional.mse_loss(log_net(X_tr), torch.log(y_tr)).backward()
    optimizer.step()
with torch.no_grad():
    train_loss = torch.nn.functional.mse_loss(log_net(X_tr), torch.log(y_tr)).item()
train_score = d2l.log_rmse(lambda X: torch.exp(log_net(X)), X_tr, y_tr)
assert abs(train_score - math.sqrt(train_loss)) < 1e-4  # score = sqrt(loss)
valid_score = d2l.log_rmse(lambda X: torch.exp(log_net(X)), X_va, y_va)
mean_price_tr = y_tr.mean().item()
mean_score = d2l.log_rmse(lambda X: torch.full((len(X), 1), mean_price_tr), X_va, y_va)
print(f"fold 1, training: loss {train_loss:.5f}, log rmse {train_score:.4f}")
print(f"fold 1 validation log rmse: log-price model {valid_score:.4f}, "
      f"mean price {mean_score:.4f}")
assert valid_score < 0.5 * mean_score
