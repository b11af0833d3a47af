# %% imports
import pandas as pd
import torch

from d2lref import torch as d2l

# %% load-data
train_data, test_data = d2l.load_kaggle_house()
print(train_data.shape)
print(test_data.shape)
assert train_data.shape == (1460, 81) and test_data.shape == (1459, 80)

# %% first-rows
print(train_data.iloc[0:4, [0, 1, 2, 3, -3, -2, -1]])

# %% preprocess
train_features, test_features, train_labels = d2l.preprocess_house_features(
    train_data, test_data)
print(train_features.shape, test_features.shape, train_labels.shape)

# %% preprocess-checks
# Recompute the numeric part by hand: standardised over train + test, NaN -> 0.
all_features = pd.concat((train_data.iloc[:, 1:-1], test_data.iloc[:, 1:]))
numeric = all_features.select_dtypes(include='number').columns
lot_frontage = all_features['LotFrontage']
expected = ((lot_frontage - lot_frontage.mean()) / lot_frontage.std()).fillna(0)
column = list(numeric).index('LotFrontage')  # numeric columns come first
assert torch.allclose(train_features[:, column],
                      torch.tensor(expected.to_numpy()[:1460], dtype=torch.float32), atol=1e-5)
# Every one-hot column holds only 0 and 1, and every row has no NaN left.
one_hot = train_features[:, len(numeric):]
assert set(one_hot.unique().tolist()) <= {0.0, 1.0}
assert not torch.isnan(train_features).any()
assert train_features.dtype == torch.float32
# One-hot encoding turns the 79 raw features into a few hundred columns.
assert 300 < train_features.shape[1] == test_features.shape[1] < 400

# %% model
in_features = train_features.shape[1]
net = d2l.house_price_net(in_features)
net

# %% log-rmse-example
# Predicting every house at the mean price: the baseline a model has to beat.
mean_price = train_labels.mean()
baseline = d2l.log_rmse(lambda X: torch.full((len(X), 1), mean_price.item()),
                        train_features, train_labels)
print(f'log rmse of always predicting the mean price: {baseline:f}')
assert 0.35 < baseline < 0.45

# %% k-fold
k, num_epochs, lr, weight_decay, batch_size = 5, 100, 5, 0, 64
torch.manual_seed(0)
train_l, valid_l = d2l.k_fold(k, train_features, train_labels, num_epochs, lr,
                              weight_decay, batch_size)
print(f'{k}-fold validation: average train log rmse: {float(train_l):f}, '
      f'average valid log rmse: {float(valid_l):f}')

# %% k-fold-checks
zero_predictor = d2l.log_rmse(lambda X: torch.zeros(len(X), 1), train_features, train_labels)
print(f'log rmse of always predicting 0: {zero_predictor:f}')
assert 11 < zero_predictor < 13
assert valid_l < zero_predictor

# %% train-and-predict
torch.manual_seed(0)
submission = d2l.train_and_pred(train_features, test_features, train_labels, test_data,
                                num_epochs, lr, weight_decay, batch_size)

# %% submission
with open('submission.csv') as f:
    print(''.join(f.readlines()[:5]))
assert len(pd.read_csv('submission.csv')) == 1459

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
# A variant: fit log(price) directly, so the squared loss is the competition's score.
X_tr, y_tr, X_va, y_va = d2l.get_k_fold_data(5, 0, train_features, train_labels)
torch.manual_seed(0)
log_net = torch.nn.Linear(X_tr.shape[1], 1)
optimizer = torch.optim.Adam(log_net.parameters(), lr=0.05, weight_decay=1e-3)
for _ in range(300):  # full-batch steps: 1168 examples fit in one batch
    optimizer.zero_grad()
    torch.nn.functional.mse_loss(log_net(X_tr), torch.log(y_tr)).backward()
    optimizer.step()
valid_score = d2l.log_rmse(lambda X: torch.exp(log_net(X)), X_va, y_va)
mean_price_tr = y_tr.mean().item()
mean_score = d2l.log_rmse(lambda X: torch.full((len(X), 1), mean_price_tr), X_va, y_va)
print(f"fold 1 validation log rmse: log-price model {valid_score:.4f}, "
      f"mean price {mean_score:.4f}")
assert valid_score < 0.5 * mean_score
