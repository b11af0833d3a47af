# %% imports
import torch
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

# %% setup
# One example x with d inputs, h hidden units, q outputs (classes), label y.
torch.manual_seed(0)
d, h, q = 5, 4, 3
lambd = 0.1
x = torch.randn(d)
y = torch.tensor(2)
W1 = torch.randn(h, d, requires_grad=True)
W2 = torch.randn(q, h, requires_grad=True)
phi = torch.tanh

# %% forward
def forward(x, y, W1, W2):
    """The forward pass of the computational graph; returns every intermediate value."""
    z = W1 @ x                        # hidden pre-activation
    h_ = phi(z)                       # hidden activation
    o = W2 @ h_                       # output
    L = F.cross_entropy(o.unsqueeze(0), y.unsqueeze(0))  # loss l(o, y)
    s = lambd / 2 * (W1.pow(2).sum() + W2.pow(2).sum())  # L2 regularization
    J = L + s                         # objective
    return z, h_, o, L, s, J

z, h_, o, L, s, J = forward(x, y, W1, W2)
J.backward()

# %% backward-by-hand
with torch.no_grad():
    # cross-entropy after softmax: dL/do = softmax(o) - one_hot(y)
    dJ_do = torch.softmax(o, dim=0) - F.one_hot(y, q).float()
    dJ_dW2 = torch.outer(dJ_do, h_) + lambd * W2
    dJ_dh = W2.T @ dJ_do
    dJ_dz = dJ_dh * (1 - torch.tanh(z) ** 2)   # phi'(z) for tanh
    dJ_dW1 = torch.outer(dJ_dz, x) + lambd * W1

# %% compare-with-autograd
assert torch.allclose(dJ_dW2, W2.grad, atol=1e-6)
assert torch.allclose(dJ_dW1, W1.grad, atol=1e-6)
print('max |hand - autograd| for W1:', (dJ_dW1 - W1.grad).abs().max().item())
print('max |hand - autograd| for W2:', (dJ_dW2 - W2.grad).abs().max().item())

# %% saved-for-backward
def saved_for_backward(grad_enabled, batch=256):
    """What autograd keeps from relu(X @ Wa) @ Wb for the backward pass: the number of
    tensors saved, how many of them are distinct, and the bytes of the distinct ones."""
    saved = []

    def pack(t):
        saved.append(t)
        return t

    with torch.set_grad_enabled(grad_enabled), \
            torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        X = torch.randn(batch, 784)
        Wa = torch.randn(784, 256, requires_grad=True)
        Wb = torch.randn(256, 10, requires_grad=True)
        torch.relu(X @ Wa) @ Wb
    # A tensor saved by two operations is kept once: count each storage once.
    storages = {t.untyped_storage().data_ptr(): t.untyped_storage().nbytes()
                for t in saved}
    return len(saved), len(storages), sum(storages.values())

saved, distinct, training_bytes = saved_for_backward(True)
prediction_bytes = saved_for_backward(False)[2]
print(f'saved for backward: {saved} tensors, {distinct} distinct')
print(f'kept for backward when training: {training_bytes / 2**20:.2f} MiB')
print(f'kept when predicting (no_grad):  {prediction_bytes / 2**20:.2f} MiB')
# X for Wa's gradient; ReLU's output, saved by ReLU and by the second product (one
# tensor); Wb for the gradient of the hidden layer.
assert (saved, distinct) == (4, 3)
assert training_bytes == 4 * (256 * 784 + 256 * 256 + 256 * 10)
assert prediction_bytes == 0

# %% backward-cost
# Count floating-point operations of one forward and one backward pass of an MLP.
X = torch.randn(256, 784)
Wa = torch.randn(784, 256, requires_grad=True)
Wb = torch.randn(256, 10, requires_grad=True)
with FlopCounterMode(display=False) as forward_counter:
    loss = (torch.relu(X @ Wa) @ Wb).pow(2).sum()
with FlopCounterMode(display=False) as backward_counter:
    loss.backward()
forward_flops = forward_counter.get_total_flops()
backward_flops = backward_counter.get_total_flops()
print('forward FLOPs: ', forward_flops)
ratio = backward_flops / forward_flops
print('backward FLOPs:', backward_flops, f'({ratio:.2f} x forward)')
# All parameter gradients cost at most about twice the forward pass.
assert backward_flops <= 2 * forward_flops

# %% forward-mode-cost
# Forward mode pushes one input direction per pass: the full gradient of the scalar loss
# would need one pass per parameter, reverse mode needs one backward pass in total.
num_params = Wa.numel() + Wb.numel()
print('parameters (forward-mode passes needed):', num_params)

# %% [markdown]
# Exercises: answers

# %% exercise-1
# The same graph with ReLU: only phi'(z) changes, from 1 - tanh(z)^2 to 1 where z > 0.
W1_relu = W1.detach().clone().requires_grad_()
W2_relu = W2.detach().clone().requires_grad_()
z_r = W1_relu @ x
h_r = torch.relu(z_r)
o_r = W2_relu @ h_r
J_r = F.cross_entropy(o_r.unsqueeze(0), y.unsqueeze(0)) + lambd / 2 * (
    W1_relu.pow(2).sum() + W2_relu.pow(2).sum())
J_r.backward()
with torch.no_grad():
    dJ_do_r = torch.softmax(o_r, dim=0) - F.one_hot(y, q).float()
    dJ_dz_r = (W2_relu.T @ dJ_do_r) * (z_r > 0).float()  # phi'(z) for ReLU
    dJ_dW1_r = torch.outer(dJ_dz_r, x) + lambd * W1_relu
assert torch.allclose(dJ_dW1_r, W1_relu.grad, atol=1e-6)
(z_r > 0).tolist()

# %% exercise-2
# Without the L2 term s, each weight's gradient loses exactly lambd * W.
W1_plain = W1.detach().clone().requires_grad_()
W2_plain = W2.detach().clone().requires_grad_()
o_plain = W2_plain @ phi(W1_plain @ x)
F.cross_entropy(o_plain.unsqueeze(0), y.unsqueeze(0)).backward()
assert torch.allclose(W1.grad - W1_plain.grad, lambd * W1.detach(), atol=1e-6)
assert torch.allclose(W2.grad - W2_plain.grad, lambd * W2.detach(), atol=1e-6)
(W2.grad - W2_plain.grad)[0], lambd * W2.detach()[0]


# %% exercise-3
sizes = {batch: saved_for_backward(True, batch)[2] for batch in (256, 512, 1024)}
for batch, size in sizes.items():
    print(f"batch {batch:4d}: {size / 2**20:.2f} MiB kept for backward")
# Linear in the batch: a fixed part (the weight Wb), the same bytes for every example.
per_example = (sizes[512] - sizes[256]) / 256
fixed = sizes[256] - 256 * per_example
print(f"per example: {per_example:.0f} bytes; fixed: {fixed:.0f} bytes")
assert sizes[1024] == fixed + 1024 * per_example and fixed == 4 * 256 * 10
assert per_example == 4 * (784 + 256)  # X's row, and the hidden row (saved once)
assert 1 < sizes[512] / sizes[256] < 2
