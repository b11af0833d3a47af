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
def bytes_saved_for_backward(grad_enabled):
    """Bytes of tensors autograd keeps from the forward pass for the backward pass."""
    saved = []

    def pack(t):
        saved.append(t.numel() * t.element_size())
        return t

    with torch.set_grad_enabled(grad_enabled), \
            torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        X = torch.randn(256, 784)
        Wa = torch.randn(784, 256, requires_grad=True)
        Wb = torch.randn(256, 10, requires_grad=True)
        torch.relu(X @ Wa) @ Wb
    return sum(saved)

training_bytes = bytes_saved_for_backward(True)
prediction_bytes = bytes_saved_for_backward(False)
print(f'kept for backward when training: {training_bytes / 2**20:.2f} MiB')
print(f'kept when predicting (no_grad):  {prediction_bytes / 2**20:.2f} MiB')
assert prediction_bytes == 0 < training_bytes

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
