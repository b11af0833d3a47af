"""The from-scratch batch normalization against PyTorch's nn.BatchNorm1d / nn.BatchNorm2d."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from d2lref.models import BatchNorm, batch_norm, lenet_bn, lenet_bn_scratch


def pair(num_dims: int, num_features: int = 5) -> tuple[BatchNorm, nn.Module]:
    ours = BatchNorm(num_features, num_dims=num_dims)
    # The book's momentum 0.9 weighs the old average; PyTorch's momentum weighs the new batch.
    theirs = (nn.BatchNorm1d if num_dims == 2 else nn.BatchNorm2d)(num_features, momentum=0.1)
    return ours, theirs


def batches(num_dims: int, steps: int = 3) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    shape = (8, 5) if num_dims == 2 else (4, 5, 3, 3)
    return [torch.randn(shape, generator=gen) * 3 + 2 for _ in range(steps)]


@pytest.mark.parametrize("num_dims", [2, 4])
def test_train_mode_matches_pytorch_output_and_running_stats(num_dims):
    ours, theirs = pair(num_dims)
    for X in batches(num_dims):
        torch.testing.assert_close(ours(X), theirs(X))
    torch.testing.assert_close(ours.moving_mean.reshape(-1), theirs.running_mean)
    torch.testing.assert_close(ours.moving_var.reshape(-1), theirs.running_var)
    # The statistics really moved away from their initial 0 and 1.
    assert ours.moving_mean.abs().min() > 0.1


@pytest.mark.parametrize("num_dims", [2, 4])
def test_eval_mode_uses_running_stats_even_with_autograd_on(num_dims):
    ours, theirs = pair(num_dims)
    for X in batches(num_dims):
        ours(X), theirs(X)
    ours.eval(), theirs.eval()
    X = batches(num_dims, steps=4)[-1]
    assert torch.is_grad_enabled()  # the book's is_grad_enabled() test would train here
    mean_before = ours.moving_mean.clone()
    Y = ours(X)
    torch.testing.assert_close(Y, theirs(X))
    expected = (X - ours.moving_mean) / torch.sqrt(ours.moving_var + 1e-5)
    torch.testing.assert_close(Y, expected)  # gamma = 1, beta = 0
    torch.testing.assert_close(ours.moving_mean, mean_before)  # eval does not update


def test_one_example_in_eval_mode_does_not_depend_on_its_batch():
    ours, _ = pair(2)
    for X in batches(2):
        ours(X)
    ours.eval()
    X = batches(2, steps=4)[-1]
    torch.testing.assert_close(ours(X)[:1], ours(X[:1]))


def test_gradients_match_pytorch():
    ours, theirs = pair(4)
    X = batches(4, steps=1)[0]
    X1, X2 = X.clone().requires_grad_(), X.clone().requires_grad_()
    weights = torch.randn(4, 5, 3, 3, generator=torch.Generator().manual_seed(1))
    (ours(X1) * weights).sum().backward()
    (theirs(X2) * weights).sum().backward()
    torch.testing.assert_close(X1.grad, X2.grad)
    torch.testing.assert_close(ours.gamma.grad.reshape(-1), theirs.weight.grad)
    torch.testing.assert_close(ours.beta.grad.reshape(-1), theirs.bias.grad)


def test_batch_norm_function_by_hand():
    X = torch.tensor([[1.0, 2.0], [3.0, 6.0]])
    gamma, beta = torch.ones(1, 2), torch.zeros(1, 2)
    Y, mean, var = batch_norm(X, gamma, beta, torch.zeros(1, 2), torch.ones(1, 2),
                              eps=0.0, momentum=0.9, training=True)
    torch.testing.assert_close(Y, torch.tensor([[-1.0, -1.0], [1.0, 1.0]]))
    # means (2, 4); unbiased variances (2, 8)
    torch.testing.assert_close(mean, torch.tensor([[0.2, 0.4]]))
    torch.testing.assert_close(var, torch.tensor([[0.9 + 0.2, 0.9 + 0.8]]))


def test_buffers_are_in_state_dict_not_parameters():
    bn = BatchNorm(6, num_dims=4)
    assert set(bn.state_dict()) == {"gamma", "beta", "moving_mean", "moving_var"}
    assert {name for name, _ in bn.named_parameters()} == {"gamma", "beta"}
    bn(torch.randn(4, 6, 2, 2))
    assert {name for name, _ in bn.named_buffers()} == {"moving_mean", "moving_var"}
    restored = BatchNorm(6, num_dims=4)
    restored.load_state_dict(bn.state_dict())
    torch.testing.assert_close(restored.moving_var, bn.moving_var)


def test_to_moves_the_buffers():
    bn = BatchNorm(3, num_dims=2).to(torch.float64)
    assert bn.moving_mean.dtype == torch.float64 and bn.moving_var.dtype == torch.float64
    bn = bn.to("meta")
    assert bn.moving_mean.device.type == "meta" and bn.moving_var.device.type == "meta"
    if torch.cuda.is_available():
        bn = BatchNorm(3, num_dims=2).to("cuda")
        bn(torch.randn(4, 3, device="cuda"))
        assert bn.moving_mean.device.type == "cuda"


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="num_dims"):
        BatchNorm(3, num_dims=3)
    with pytest.raises(ValueError, match="2-D"):
        BatchNorm(3, num_dims=2)(torch.randn(4, 3, 2))
    with pytest.raises(ValueError, match="batch size > 1"):
        BatchNorm(3, num_dims=2)(torch.randn(1, 3))


def test_scratch_and_concise_lenet_agree():
    torch.manual_seed(0)
    scratch, concise = lenet_bn_scratch(), lenet_bn()
    # Copy the concise model's weights into the scratch model (BatchNorm layers by position).
    for a, b in zip(scratch, concise, strict=True):
        if isinstance(a, BatchNorm):
            a.gamma.data = b.weight.data.reshape(a.gamma.shape).clone()
            a.beta.data = b.bias.data.reshape(a.beta.shape).clone()
        else:
            a.load_state_dict(b.state_dict())
    X = torch.randn(8, 1, 28, 28)
    Y = scratch(X)
    assert Y.shape == (8, 10)
    torch.testing.assert_close(Y, concise(X))
    # One training step each: the running statistics now agree, so eval mode agrees too.
    scratch.eval(), concise.eval()
    torch.testing.assert_close(scratch(X), concise(X))
