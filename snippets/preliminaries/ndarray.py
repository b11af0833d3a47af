# %% imports
import numpy as np
import pandas as pd
import torch

# %% arange
# A row vector with the 12 integers 0, 1, ..., 11; every
# value is an element of the tensor.
x = torch.arange(12)
assert x[0] == 0 and x[-1] == 11 and len(x) == 12
x

# %% numel-shape
assert x.numel() == 12 and x.shape == (12,)
x.numel(), x.shape

# %% reshape
# -1 lets PyTorch infer that dimension: 12 elements in 3 rows make 4 columns.
X = x.reshape(3, -1)
assert X.shape == (3, 4) and X.numel() == x.numel()
X

# %% zeros-ones
zeros, ones = torch.zeros((2, 3, 4)), torch.ones((2, 3, 4))
assert zeros.shape == ones.shape == (2, 3, 4) and zeros.sum() == 0 and ones.sum() == 24
zeros, ones

# %% randn
torch.manual_seed(0)  # the same "random" numbers on every run
# Samples of the standard normal distribution: mean 0, standard deviation 1.
samples = torch.randn(3, 4)
torch.manual_seed(0)  # the same seed again...
assert torch.equal(torch.randn(3, 4), samples)  # ...gives the same numbers
samples

# %% from-list
from_list = torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
# The outer list is axis 0 (3 rows), the inner lists axis 1 (4 columns).
assert from_list.shape == (3, 4) and from_list[0, 2] == 4
from_list

# %% indexing
# X[-1] is the last row; X[1:3] the rows 1 and 2 (the end of a slice is excluded).
assert torch.equal(X[-1], X[2]) and X[1:3].shape == (2, 4)
X[-1], X[1:3]

# %% assignment
X[1, 2] = 9  # one element
X[0:2, :] = 12  # rows 0 and 1, all columns
assert X[2, 0] == 8  # row 2 is untouched
X

# %% elementwise
x = torch.tensor([1.0, 2, 4, 8])
y = torch.tensor([2, 2, 2, 2])
# Each result has x's shape; element i combines x[i] with y[i].
assert all(result.shape == x.shape for result in (x + y, x - y, x * y, x / y, x**y))
assert (x * y)[3] == 8 * 2 and (x**y)[2] == 4**2
x + y, x - y, x * y, x / y, x**y

# %% unary
a = 2
assert torch.allclose(torch.exp(x)[1], torch.tensor(2.0).exp())  # exp(x[1]) = e^2
assert torch.equal(a * x, x + x)  # the scalar multiplies every element
torch.exp(x), a * x

# %% compare
X = torch.arange(12, dtype=torch.float32).reshape((3, 4))
Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
same = X == Y  # elementwise: True where X and Y agree
assert same.shape == X.shape and same.dtype == torch.bool
assert same.tolist()[0] == [False, True, False, True]  # 1 == 1 and 3 == 3 in row 0
same

# %% sum-all
assert X.sum() == sum(range(12)) and X.sum().numel() == 1  # 0 + 1 + ... + 11 = 66
X.sum()

# %% sum-axis
A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
# axis=0 sums over the rows: one sum per column, the row axis disappears.
sum_axis0 = A.sum(axis=0)
# axis=1 sums over the columns: one sum per row.
sum_axis1 = A.sum(axis=1)
assert sum_axis0.shape == (4,) and sum_axis1.shape == (5,)
assert A.sum(axis=[0, 1]) == A.sum()
A, sum_axis0, sum_axis1

# %% keepdims
# keepdims=True keeps the reduced axis with length 1, so the
# result still broadcasts against A.
sum_A = A.sum(axis=1, keepdims=True)
assert sum_A.shape == (5, 1)
# PyTorch's own name is keepdim (and dim for axis); NumPy's spellings work as well.
assert torch.equal(sum_A, A.sum(dim=1, keepdim=True))
row_shares = A / sum_A
assert torch.allclose(row_shares.sum(axis=1), torch.ones(5))
sum_A, row_shares

# %% mean
assert torch.equal(A.mean(axis=0), A.sum(axis=0) / A.shape[0])
A.mean(), A.mean(axis=0)

# %% cumsum
# The running sum down the rows: the last row holds the column sums.
cumulative = A.cumsum(axis=0)
assert torch.equal(cumulative[-1], A.sum(axis=0))
cumulative

# %% concatenate
by_rows = torch.cat((X, Y), dim=0)  # stack vertically: 3 + 3 rows
by_columns = torch.cat((X, Y), dim=1)  # side by side: 4 + 4 columns
assert by_rows.shape == (6, 4) and by_columns.shape == (3, 8)
by_rows, by_columns

# %% broadcasting
a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
# a is copied along the columns and b along the rows until both are 3x2.
assert (a + b).shape == (3, 2)
a, b, a + b

# %% new-memory
before = id(Y)
Y = Y + X  # computes a new tensor, then points the name Y at it
same_memory = id(Y) == before
assert not same_memory
same_memory

# %% in-place
Z = torch.zeros_like(Y)
z_before = id(Z)
Z[:] = X + Y  # writes the result into Z's existing memory
x_before = id(X)
X += Y  # also in place
assert id(Z) == z_before and id(X) == x_before
id(Z) == z_before, id(X) == x_before

# %% clone
B = A.clone()  # a new copy of the data
alias = A  # just a second name for the same tensor
B[0, 0] = 100
assert A[0, 0] == 0  # changing the clone leaves A alone
alias[0, 0] = -1
assert A[0, 0] == -1  # changing the alias changes A
A[0, 0] = 0
B[0]

# %% to-numpy
A_np = X.numpy()  # shares memory with X (on the CPU)
B = torch.tensor(A_np)  # copies
assert A_np.ctypes.data == X.data_ptr()  # the same memory
assert B.data_ptr() != X.data_ptr()  # new memory
type(A_np), type(B)

# %% shared-memory
X[0, 0] = 42
assert A_np[0, 0] == 42  # the NumPy array sees the change...
assert B[0, 0] != 42  # ...the copy does not
A_np[0, 0], B[0, 0]

# %% pandas
# A small table with missing values (NaN), as read from a CSV file.
df = pd.DataFrame(
    {
        "NumRooms": [np.nan, 2.0, 4.0, np.nan],
        "Alley": ["Pave", np.nan, np.nan, np.nan],
        "Price": [127500, 106000, 178100, 140000],
    }
)
inputs, targets = df[["NumRooms", "Alley"]], df["Price"]
# Numbers: fill the gaps with the column mean; categories: one
# 0/1 column per value, NaN included.
inputs = inputs.fillna({"NumRooms": inputs["NumRooms"].mean()})
inputs = pd.get_dummies(inputs, dummy_na=True, dtype=float)
assert inputs["NumRooms"].tolist() == [3.0, 2.0, 4.0, 3.0]  # NaN -> the mean of 2 and 4
assert list(inputs.columns) == ["NumRooms", "Alley_Pave", "Alley_nan"]
inputs

# %% pandas-to-tensor
X_table = torch.tensor(inputs.to_numpy(dtype=np.float32))
y_table = torch.tensor(targets.to_numpy(dtype=np.float32))
assert X_table.shape == (4, 3) and not torch.isnan(X_table).any()
X_table, y_table

# %% scalars
a = torch.tensor([3.5])
assert a.item() == float(a) == 3.5 and int(a) == 3  # int() drops the fractional part
a, a.item(), float(a), int(a)

# %% [markdown]
# Exercises: answers

# %% exercise-1
# Broadcasting lines shapes up from the right; each pair must be equal or contain a 1.
a = torch.zeros(3, 1, 2)
b = torch.zeros(4, 1)
assert (a + b).shape == (3, 4, 2)
try:
    torch.zeros(3, 2) + torch.zeros(3)  # trailing axes 2 and 3: neither is 1
    broadcast_error = None
except RuntimeError as err:
    broadcast_error = type(err).__name__
assert broadcast_error == "RuntimeError"
(a + b).shape, broadcast_error

# %% exercise-2
def add_in_place_buggy(Z, X):
    Z = Z + X  # a new tensor, bound to the local name Z only
    return Z


def add_in_place(Z, X):
    """Add X to Z in Z's own memory."""
    Z += X  # or Z[:] = Z + X
    return Z


Z = torch.zeros(2, 3)
before = Z.data_ptr()
add_in_place_buggy(Z, torch.ones(2, 3))
assert Z.sum() == 0  # the caller's Z did not change
add_in_place(Z, torch.ones(2, 3))
assert Z.data_ptr() == before and Z.sum() == 6
Z

# %% exercise-3
T = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
shapes = [
    tuple(T.sum(axis=0).shape),
    tuple(T.sum(axis=[0, 2]).shape),
    tuple(T.sum(axis=1, keepdims=True).shape),
]
assert shapes == [(3, 4), (3,), (2, 1, 4)]
# keepdims keeps an axis of length 1, so the division broadcasts back over that axis.
shares = T / T.sum(axis=1, keepdims=True)
assert torch.allclose(shares.sum(axis=1), torch.ones(2, 4))
shapes
