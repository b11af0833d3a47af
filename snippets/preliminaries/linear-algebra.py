# %% imports
import torch

# %% scalars
x = torch.tensor(3.0)
y = torch.tensor(2.0)
# A scalar is a tensor with one element (and no axes); arithmetic is as with numbers.
assert x.numel() == 1 and x.dim() == 0 and x**y == 9
x + y, x * y, x / y, x**y

# %% vectors
x = torch.arange(4)
# A vector's length (its dimension) is its number of elements.
assert len(x) == 4 and x.shape == (4,)
x, x[3], len(x), x.shape

# %% matrices
A = torch.arange(20).reshape(5, 4)
assert A.T.shape == (4, 5) and A.T[1, 3] == A[3, 1]
A, A.T

# %% symmetric
# A symmetric matrix equals its transpose.
B = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
assert torch.equal(B, B.T)
equal_to_transpose = B == B.T
equal_to_transpose

# %% higher-order
X = torch.arange(24).reshape(2, 3, 4)
assert X.dim() == 3 and X.shape == (2, 3, 4)  # three axes
X

# %% elementwise
A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
B = A.clone()
# A * B is the elementwise (Hadamard) product, not the matrix product.
assert torch.equal(A * B, A**2) and (A * B).shape == (5, 4)
A + B, A * B

# %% scalar-and-tensor
a = 2
X = torch.arange(24).reshape(2, 3, 4)
assert (a * X).shape == X.shape
a + X, (a * X).shape

# %% dot
x = torch.arange(4, dtype=torch.float32)
y = torch.ones(4, dtype=torch.float32)
# The dot product is the sum of the elementwise products.
assert torch.dot(x, y) == torch.sum(x * y) == 0 + 1 + 2 + 3
x, y, torch.dot(x, y)

# %% matrix-vector
# (5x4 matrix) times (vector of length 4): one dot
# product per row, a vector of length 5.
Ax = torch.mv(A, x)
assert Ax.shape == (A.shape[0],)
assert torch.allclose(Ax, torch.stack([torch.dot(row, x) for row in A]))
assert torch.equal(Ax, A @ x)
Ax

# %% matrix-matrix
B = torch.ones(4, 3)
AB = torch.mm(A, B)
assert AB.shape == (5, 3) and torch.equal(AB, A @ B)
AB

# %% norms
u = torch.tensor([3.0, -4.0])
l2 = torch.norm(u)  # square root of the sum of squares
l1 = torch.abs(u).sum()  # sum of absolute values
assert l2 == 5 and l1 == 7
l2, l1

# %% frobenius
# The Frobenius norm of a matrix: the L2 norm of all its elements, sqrt(4 * 9 * 1) = 6.
frobenius = torch.norm(torch.ones((4, 9)))
assert frobenius == 6
frobenius

# %% distance
# A distance is the norm of a difference: here the straight-line distance of two points.
p, q = torch.tensor([1.0, 1.0]), torch.tensor([4.0, 5.0])
assert torch.norm(p - q) == 5
torch.norm(p - q)

# %% [markdown]
# Exercises: answers

# %% exercise-1
A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
try:
    A / A.sum(axis=1)  # (5, 4) / (5,): the last axes 4 and 5 do not broadcast
    row_error = None
except RuntimeError as err:
    row_error = type(err).__name__
column_shares = A / A.sum(axis=0)  # (5, 4) / (4,): every column divided by its sum
row_shares = A / A.sum(axis=1, keepdim=True)  # (5, 4) / (5, 1): every row by its sum
assert row_error == "RuntimeError"
assert torch.allclose(column_shares.sum(axis=0), torch.ones(4))
assert torch.allclose(row_shares.sum(axis=1), torch.ones(5))
row_error, column_shares.sum(axis=0), row_shares.sum(axis=1)


# %% exercise-2
def matmul_by_dots(A, B):
    """Matrix product from dot products: (i, j) is row i of A times column j of B."""
    C = torch.zeros(A.shape[0], B.shape[1])
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            C[i, j] = torch.dot(A[i], B[:, j])
    return C


torch.manual_seed(0)
A, B = torch.randn(5, 4), torch.randn(4, 3)
assert torch.allclose(matmul_by_dots(A, B), A @ B, atol=1e-6)
assert torch.allclose((A @ B).T, B.T @ A.T, atol=1e-6)  # (AB)^T = B^T A^T
matmul_by_dots(A, B).shape

# %% exercise-3
torch.manual_seed(0)
n = 100
vectors = torch.randn(10_000, n)
l1 = vectors.abs().sum(axis=1)
l2 = torch.norm(vectors, dim=1)
ratio = l1 / l2
# Always l2 <= l1 <= sqrt(n) * l2; for Gaussian vectors l1 / l2 is near sqrt(2 n / pi).
assert (l2 <= l1).all() and (l1 <= n**0.5 * l2).all()
assert abs(ratio.mean() - (2 * n / torch.pi) ** 0.5) < 0.1
print(f"l1/l2: min {ratio.min():.2f}, mean {ratio.mean():.2f}, max {ratio.max():.2f}")
print(f"sqrt(2n/pi) = {(2 * n / torch.pi) ** 0.5:.2f}, sqrt(n) = {n ** 0.5:.0f}")
