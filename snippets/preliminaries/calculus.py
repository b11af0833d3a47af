# %% imports
import numpy as np
import torch
from torch.autograd.functional import jacobian

from d2lref import torch as d2l


# %% limit
def f(x):
    return 3 * x**2 - 4 * x


# The difference quotient at x = 1 approaches f'(1) = 6 * 1 - 4 = 2 as h shrinks.
h = 0.1
for _ in range(5):
    quotient = (f(1 + h) - f(1)) / h
    print(f"h={h:.5f}, numerical limit={quotient:.5f}")
    h *= 0.1
assert abs(quotient - 2) < 1e-3

# %% tangent-plot
# The derivative is the slope of the tangent: for x^2 at x = 1 the slope is 2,
# so the tangent line through (1, 1) is y = 2x - 1.
x = np.arange(0, 3, 0.1)
axes = d2l.plot(
    x, [x**2, 2 * x - 1], "x", "f(x)", legend=["$f(x) = x^2$", "tangent at $x = 1$"]
)
slope_at_1 = ((1 + 1e-6) ** 2 - 1**2) / 1e-6
assert abs(slope_at_1 - 2) < 1e-5 and 2 * 1 - 1 == 1**2  # slope 2, touches at (1, 1)


# %% partial-derivative
def g(x1, x2):
    return 3 * x1**2 + 5 * x1 * x2


# Hold x2 fixed and differentiate in x1: dg/dx1 = 6 x1 + 5 x2, which is 16 at (1, 2).
h = 1e-4
partial_x1 = (g(1 + h, 2) - g(1, 2)) / h
assert abs(partial_x1 - 16) < 1e-2
round(partial_x1, 4)

# %% gradient-rules
torch.manual_seed(0)
m, n = 3, 4
A = torch.randn(m, n, dtype=torch.float64)
x = torch.randn(n, dtype=torch.float64)
# Jacobians are in numerator layout (one row per output); gradients are their
# transposes. d(Ax)/dx = A, so the gradient (denominator layout) of Ax is A^T.
assert torch.allclose(jacobian(lambda v: A @ v, x).T, A.T)
# For x^T A (x of length m), the gradient is A.
x_m = torch.randn(m, dtype=torch.float64)
assert torch.allclose(jacobian(lambda v: v @ A, x_m).T, A)
# For the scalar x^T M x (M square), the gradient is (M + M^T) x.
M = torch.randn(n, n, dtype=torch.float64)
x_grad = x.clone().requires_grad_()
(x_grad @ M @ x_grad).backward()
assert torch.allclose(x_grad.grad, (M + M.T) @ x)
# For ||x||^2, the gradient is 2x.
x_grad.grad = None
(x_grad.norm() ** 2).backward()
assert torch.allclose(x_grad.grad, 2 * x)
print("all four gradient rules agree with autograd")


# %% jacobian
# y = (x1 * x2, x1 + x3): two outputs, three inputs, so the Jacobian is 2 x 3.
def y_of_x(v):
    return torch.stack([v[0] * v[1], v[0] + v[2]])


point = torch.tensor([1.0, 2.0, 3.0])
J = jacobian(y_of_x, point)
expected = torch.tensor([[2.0, 1.0, 0.0], [1.0, 0.0, 1.0]])  # rows: dy_i / dx
assert torch.equal(J, expected)
J
