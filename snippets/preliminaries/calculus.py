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
axes = d2l.plot(x, [x**2, 2 * x - 1], "x", "f(x)", legend=["$f(x) = x^2$", "tangent at $x = 1$"])
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
# Jacobians are in numerator layout (one row per output); gradients are their transposes.
# d(Ax)/dx = A, so the gradient (denominator layout) of Ax is A^T.
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

# %% [markdown]
# Exercises: answers

# %% exercise-1
# The forward difference of f(x) = 3x^2 - 4x at x = 1, with h shrinking far below 1e-5.
errors = {}
for exponent in range(1, 15):
    h = 10.0**-exponent
    errors[exponent] = abs((f(1 + h) - f(1)) / h - 2)
best = min(errors, key=errors.get)
# The error first shrinks like 3h, then round-off (about 1e-16 / h) takes over.
assert 6 <= best <= 10 and errors[14] > errors[best] * 1000
for exponent in (1, 4, best, 12, 14):
    print(f"h=1e-{exponent:<2d} error={errors[exponent]:.1e}")


# %% exercise-2
def forward_difference(func, x, h):
    return (func(x + h) - func(x)) / h


def central_difference(func, x, h):
    return (func(x + h) - func(x - h)) / (2 * h)


# exp'(0) = 1. Forward error ~ h/2, central error ~ h^2/6: 10x smaller h, 10x vs 100x.
for h in (1e-1, 1e-2, 1e-3):
    forward_error = abs(forward_difference(np.exp, 0.0, h) - 1)
    central_error = abs(central_difference(np.exp, 0.0, h) - 1)
    print(f"h={h:.0e}: forward {forward_error:.1e}, central {central_error:.1e}")
ratio_forward = abs(forward_difference(np.exp, 0.0, 1e-2) - 1) / abs(
    forward_difference(np.exp, 0.0, 1e-3) - 1
)
ratio_central = abs(central_difference(np.exp, 0.0, 1e-2) - 1) / abs(
    central_difference(np.exp, 0.0, 1e-3) - 1
)
assert 9 < ratio_forward < 11 and 95 < ratio_central < 105

# %% exercise-3
# f(x) = ||x||_2; its gradient is x / ||x||, a unit vector: (0.6, 0.8) at (3, 4).
x = torch.tensor([3.0, 4.0], requires_grad=True)
torch.norm(x).backward()
assert torch.allclose(x.grad, torch.tensor([0.6, 0.8]))
assert torch.isclose(torch.norm(x.grad), torch.tensor(1.0))
x.grad

# %% exercise-4
# Jacobian of softmax (3 outputs, 3 inputs): diag(s) - s s^T; each column sums to 0.
z = torch.tensor([1.0, 2.0, 3.0])
s = torch.softmax(z, dim=0)
J = jacobian(lambda v: torch.softmax(v, dim=0), z)
assert J.shape == (3, 3)
assert torch.allclose(J, torch.diag(s) - torch.outer(s, s), atol=1e-6)
assert torch.allclose(J.sum(axis=0), torch.zeros(3), atol=1e-6)
J
