# %% imports
import torch
from torch import nn

_ = torch.manual_seed(0)  # '_ =' keeps the returned generator off the output


# %% parameter-counts
def count(module):
    return sum(p.numel() for p in module.parameters())


# The "meta" device records shapes without allocating memory: a billion weights cost
# nothing.
# 1-megapixel image -> 1000 hidden units
fc = nn.Linear(1000 * 1000, 1000, device="meta")
conv = nn.Conv2d(1, 1000, kernel_size=3, device="meta")  # 1000 channels of 3×3 filters
assert count(fc) == 1000 * 1000 * 1000 + 1000
assert count(conv) == 1000 * 3 * 3 + 1000
print(
    f"fully connected: {count(fc):,} parameters ({count(fc) * 4 / 2**30:.1f} GiB of "
    f"float32)"
)
print(f"convolution:     {count(conv):,} parameters")
print(f"ratio:           {count(fc) / count(conv):,.0f}")

# %% conv-size-independent
# The conv layer's count does not depend on the image size; the fully connected one
# grows with the number of pixels.
for side in (28, 224, 1000):
    fc = nn.Linear(side * side, 1000, device="meta")
    print(f"{side:>4}×{side:<4} image: fc {count(fc):>13,}   conv {count(conv):,}")

# %% equivariance
# Shift the input and the conv output shifts the same way: translation *equivariance*.
# (Circular padding makes the shift exact at the borders.)
conv = nn.Conv2d(1, 1, kernel_size=3, padding=1, padding_mode="circular", bias=False)
X = torch.rand(1, 1, 8, 8)
X_shifted = torch.roll(X, shifts=(2, 3), dims=(2, 3))
with torch.no_grad():
    Y, Y_shifted = conv(X), conv(X_shifted)
assert torch.allclose(Y_shifted, torch.roll(Y, shifts=(2, 3), dims=(2, 3)), atol=1e-6)
assert not torch.allclose(Y_shifted, Y)  # the output itself is not unchanged: it moved
print(
    "conv(shift(X)) == shift(conv(X)):",
    torch.allclose(Y_shifted, torch.roll(Y, shifts=(2, 3), dims=(2, 3)), atol=1e-6),
)

# %% invariance
# A global pooling over the whole map forgets where the
# feature was: translation *invariance*.
assert torch.allclose(Y.amax(dim=(2, 3)), Y_shifted.amax(dim=(2, 3)))
assert torch.allclose(Y.mean(dim=(2, 3)), Y_shifted.mean(dim=(2, 3)), atol=1e-6)
Y.amax(dim=(2, 3)), Y_shifted.amax(dim=(2, 3))

# %% locality
# One output pixel depends only on the 3×3 window under it: its gradient with respect to
# the input is non-zero in 9 places and zero everywhere else.
X = torch.rand(1, 1, 8, 8, requires_grad=True)
conv = nn.Conv2d(1, 1, kernel_size=3, padding=1)
conv(X)[0, 0, 4, 4].backward()
touched = (X.grad[0, 0] != 0).nonzero().tolist()
assert len(touched) == 9 and {tuple(ij) for ij in touched} == {
    (i, j) for i in (3, 4, 5) for j in (3, 4, 5)
}
(X.grad[0, 0] != 0).int()
