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

# %% [markdown]
# Exercises: answers

# %% exercise-1
# Zero padding instead of circular: equivariance holds only away from the borders and
# the seam.
torch.manual_seed(0)
conv = nn.Conv2d(1, 1, kernel_size=3, padding=1, bias=False)  # zero padding
X = torch.rand(1, 1, 8, 8)
with torch.no_grad():
    shifted_output = conv(torch.roll(X, shifts=(2, 3), dims=(2, 3)))
    output_shifted = torch.roll(conv(X), shifts=(2, 3), dims=(2, 3))
agree = (shifted_output - output_shifted).abs()[0, 0] < 1e-6
# Rows 3-6 and columns 4-6: neither window touches a border or the seam where roll
# wraps.
assert agree[3:7, 4:7].all() and not agree.all()
agree.int()

# %% exercise-2
# A stride-2 convolution (circular padding): shifting the input by 2 pixels shifts the
# output by 1; shifting it by 1 pixel gives an output that is no shift of the old one.
torch.manual_seed(0)
strided = nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, padding_mode="circular",
                    bias=False)
X = torch.rand(1, 1, 8, 8)
with torch.no_grad():
    Y = strided(X)  # 4×4
    shifted_by_2 = strided(torch.roll(X, shifts=2, dims=3))
    shifted_by_1 = strided(torch.roll(X, shifts=1, dims=3))
assert torch.allclose(shifted_by_2, torch.roll(Y, shifts=1, dims=3), atol=1e-6)
# Compare the 1-pixel result with every horizontal shift of Y: none matches.
matches = [torch.allclose(shifted_by_1, torch.roll(Y, shifts=s, dims=3), atol=1e-6)
           for s in range(Y.shape[3])]
assert not any(matches)
tuple(Y.shape), matches

# %% exercise-3
# A 3×3 convolution on an 8×8 image is a fully connected layer with a sparse, shared
# weight: column m of its 36×64 matrix is the output for the m-th one-hot input image.
torch.manual_seed(0)
conv = nn.Conv2d(1, 1, kernel_size=3, bias=False)
with torch.no_grad():
    basis = torch.eye(64).reshape(64, 1, 8, 8)
    W = conv(basis).reshape(64, 36).T  # 36 outputs × 64 inputs
    X = torch.rand(1, 1, 8, 8)
    assert torch.allclose(W @ X.reshape(64), conv(X).reshape(36), atol=1e-6)
nonzero = int((W != 0).sum())
assert nonzero == 36 * 9  # each output row holds the same 9 kernel values
print(f"{nonzero} of {W.numel()} entries are non-zero, all copies of 9 kernel weights")
