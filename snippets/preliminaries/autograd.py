# %% imports
import warnings

import torch
import torch.autograd.forward_ad as fwAD

# %% requires-grad
# requires_grad=True asks PyTorch to record the operations on x and keep a .grad for it.
x = torch.arange(4.0, requires_grad=True)
assert x.grad is None  # nothing has been computed yet
x

# %% backward
y = 2 * torch.dot(x, x)
y.backward()  # backpropagation: fills x.grad with dy/dx
# y = 2 x^T x, so dy/dx = 4x.
assert torch.equal(x.grad, 4 * x)
y, x.grad

# %% accumulate
# PyTorch adds new gradients to .grad instead of replacing them.
y = x.sum()
y.backward()
assert torch.equal(x.grad, 4 * x + 1)  # 4x from before, plus 1 from the sum
x.grad

# %% zero-grad
x.grad.zero_()  # clear the old value before the next backward pass
y = x.sum()
y.backward()
assert torch.equal(x.grad, torch.ones(4))
x.grad

# %% non-scalar
x.grad.zero_()
y = x * x  # a vector: its derivative would be a matrix (a Jacobian)
try:
    y.backward()
except RuntimeError as error:
    print("y.backward() on a vector:", error)
# Summing first gives a scalar whose gradient is the sum of the rows of the Jacobian.
y.sum().backward()
assert torch.equal(x.grad, 2 * x)
x.grad

# %% non-scalar-ones
# The same thing spelled out: backward with a vector v
# computes v^T J; v of ones sums the rows.
x.grad.zero_()
y = x * x
y.backward(torch.ones_like(y))
assert torch.equal(x.grad, 2 * x)
x.grad

# %% detach
x.grad.zero_()
y = x * x
u = y.detach()  # same values as y, but treated as a constant
z = u * x
z.sum().backward()
# The gradient does not flow through u, so dz/dx = u (not 3x^2).
assert torch.equal(x.grad, u)
grad_is_u = x.grad == u
grad_is_u

# %% detach-original
# y itself is still part of the graph: its gradient is 2x as usual.
x.grad.zero_()
y.sum().backward()
assert torch.equal(x.grad, 2 * x)
grad_is_2x = x.grad == 2 * x
grad_is_2x


# %% control-flow
def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


torch.manual_seed(0)
a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()
# Whatever path the loops and branches take, f(a) = k * a for some constant k,
# so the derivative is k = d / a.
assert torch.allclose(a.grad, d / a)
grad_is_d_over_a = a.grad == d / a
grad_is_d_over_a

# %% graph-example
torch.manual_seed(0)
x = torch.randn(3, requires_grad=True)
w = torch.randn(3, requires_grad=True)
y = torch.randn((), requires_grad=True)
# Forward pass: every intermediate result is stored for the backward pass.
a = torch.dot(x, w)
b = a - y
z = b**2
a.retain_grad()  # keep the gradients of the intermediate nodes to inspect them
b.retain_grad()
z.backward()
assert torch.allclose(z, (torch.dot(x, w) - y) ** 2)  # z = (<x, w> - y)^2

# %% graph-check
# Backward pass, by hand, from the output to the inputs.
dz_db = 2 * b.detach()
dz_da = dz_db * 1  # db/da = 1
dz_dw = dz_da * x.detach()  # da/dw = x^T
dz_dx = dz_da * w.detach()  # da/dx = w^T
dz_dy = dz_db * -1  # db/dy = -1
assert torch.allclose(b.grad, dz_db)
assert torch.allclose(a.grad, dz_da)
assert torch.allclose(w.grad, dz_dw)
assert torch.allclose(x.grad, dz_dx)
assert torch.allclose(y.grad, dz_dy)
# The formula dz/dw = dz/da * w^T would give the gradient of x, not of w.
assert not torch.allclose(w.grad, dz_da * w.detach())
w.grad, dz_dw


# %% forward-vs-reverse
def loss(v):
    return (v**2).sum().sin()


def forward_mode_gradient(func, v):
    """Forward accumulation: push one input direction through the whole function per
    pass.
    """
    partials = []
    for i in range(len(v)):  # one forward pass per input
        direction = torch.zeros_like(v)
        direction[i] = 1.0
        with fwAD.dual_level():
            output = func(fwAD.make_dual(v, direction))
            partials.append(fwAD.unpack_dual(output).tangent)
    return torch.stack(partials)


v = torch.linspace(-1, 1, 5)
with warnings.catch_warnings():
    # PyTorch's forward-mode setup emits an internal deprecation notice on first use.
    warnings.simplefilter("ignore", FutureWarning)
    forward_grad = forward_mode_gradient(loss, v)  # 5 passes for 5 inputs
v_reverse = v.clone().requires_grad_()
loss(v_reverse).backward()  # one forward pass + one backward pass for all 5 inputs
assert torch.allclose(forward_grad, v_reverse.grad)
forward_grad, v_reverse.grad

# %% [markdown]
# Exercises: answers

# %% exercise-1
x = torch.arange(4.0, requires_grad=True)
y = 2 * torch.dot(x, x)
y.backward(retain_graph=True)  # keep the graph's saved tensors for a second pass
y.backward()  # the second pass adds another 4x to .grad
after_two_passes = x.grad.clone()
assert torch.equal(after_two_passes, 8 * x)
z = 2 * torch.dot(x, x)
z.backward()  # the default frees the graph...
try:
    z.backward()  # ...so a second pass has nothing to work with
    second_pass_error = None
except RuntimeError as err:
    second_pass_error = type(err).__name__
assert second_pass_error == "RuntimeError"
after_two_passes, second_pass_error

# %% exercise-2
# d sin(x) / dx by autograd, without writing down cos(x).
x = torch.linspace(-3.0, 3.0, 61, requires_grad=True)
torch.sin(x).sum().backward()  # sum: every x_i only affects its own sin(x_i)
assert torch.allclose(x.grad, torch.cos(x.detach()), atol=1e-6)
print(f"max |grad - cos(x)| = {(x.grad - torch.cos(x.detach())).abs().max():.1e}")

# %% exercise-3
# f from the control-flow cell, on a vector: still f(a) = k * a, one k for all entries.
torch.manual_seed(1)
a = torch.randn(5, requires_grad=True)
d = f(a)
d.sum().backward()
k = (d / a).detach()
assert torch.allclose(k, k[0].expand(5)) and torch.allclose(a.grad, k)
a.grad

# %% exercise-4
# The second derivative: keep the graph of the first derivative (create_graph=True).
x = torch.tensor(2.0, requires_grad=True)
y = x**3
(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
(d2y_dx2,) = torch.autograd.grad(dy_dx, x)
assert dy_dx == 3 * 2.0**2 and d2y_dx2 == 6 * 2.0
dy_dx.item(), d2y_dx2.item()
