"""From-scratch convolution and pooling against PyTorch's own operators."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from d2lref.ops import (
    Conv2D,
    comp_conv2d,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    pool2d,
)


def test_corr2d_matches_the_book_example_by_hand() -> None:
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    # 0·0+1·1+3·2+4·3 = 19, and so on (the book's figure 6.2.1)
    assert torch.equal(corr2d(X, K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))


def test_corr2d_matches_conv2d() -> None:
    torch.manual_seed(0)
    X, K = torch.randn(7, 9), torch.randn(3, 4)
    expected = F.conv2d(X[None, None], K[None, None])[0, 0]
    torch.testing.assert_close(corr2d(X, K), expected)


def test_corr2d_multi_in_matches_conv2d() -> None:
    torch.manual_seed(1)
    X, K = torch.randn(3, 6, 5), torch.randn(3, 2, 2)
    expected = F.conv2d(X[None], K[None])[0, 0]
    torch.testing.assert_close(corr2d_multi_in(X, K), expected)


def test_corr2d_multi_in_out_matches_conv2d() -> None:
    torch.manual_seed(2)
    X, K = torch.randn(2, 5, 5), torch.randn(4, 2, 3, 3)
    expected = F.conv2d(X[None], K)[0]
    result = corr2d_multi_in_out(X, K)
    assert result.shape == (4, 3, 3)
    torch.testing.assert_close(result, expected)


def test_1x1_convolution_is_a_matrix_product() -> None:
    torch.manual_seed(3)
    X, K = torch.normal(0, 1, (3, 3, 3)), torch.normal(0, 1, (2, 3, 1, 1))
    Y1 = corr2d_multi_in_out_1x1(X, K)
    torch.testing.assert_close(Y1, corr2d_multi_in_out(X, K))
    torch.testing.assert_close(Y1, F.conv2d(X[None], K)[0])
    # pixel (1, 2): the weight matrix times that pixel's channel vector
    torch.testing.assert_close(Y1[:, 1, 2], K[:, :, 0, 0] @ X[:, 1, 2])


@pytest.mark.parametrize("pool_size", [(2, 2), (3, 2), (1, 1)])
def test_pool2d_matches_torch_pooling(pool_size: tuple[int, int]) -> None:
    torch.manual_seed(4)
    X = torch.randn(5, 6)
    max_expected = nn.MaxPool2d(pool_size, stride=1)(X[None, None])[0, 0]
    avg_expected = nn.AvgPool2d(pool_size, stride=1)(X[None, None])[0, 0]
    torch.testing.assert_close(pool2d(X, pool_size), max_expected)
    torch.testing.assert_close(pool2d(X, pool_size, "avg"), avg_expected)


def test_pool2d_book_example() -> None:
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    assert torch.equal(pool2d(X, (2, 2)), torch.tensor([[4.0, 5.0], [7.0, 8.0]]))
    assert torch.equal(pool2d(X, (2, 2), "avg"), torch.tensor([[2.0, 3.0], [5.0, 6.0]]))


def test_conv2d_layer_learns_the_edge_kernel() -> None:
    torch.manual_seed(0)
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    layer = Conv2D(kernel_size=(1, 2))
    # lr 1e-2: the bias gradient sums 42 outputs, so the book's 3e-2 (no bias) diverges here
    for _ in range(50):
        loss = ((layer(X) - Y) ** 2).sum()
        layer.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in layer.parameters():
                param -= 1e-2 * param.grad
    torch.testing.assert_close(layer.weight.detach(), torch.tensor([[1.0, -1.0]]), atol=0.05,
                               rtol=0)


def test_comp_conv2d_returns_the_output_shape_of_the_formula() -> None:
    conv = nn.Conv2d(1, 1, kernel_size=(5, 3), padding=(0, 1), stride=(3, 4))
    # floor((8 - 5 + 0 + 3) / 3) = 2, floor((8 - 3 + 2 + 4) / 4) = 2
    assert comp_conv2d(conv, (8, 8)).shape == (2, 2)


def test_clear_errors_for_bad_input() -> None:
    with pytest.raises(ValueError, match=r"kernel of shape \(3, 3\) is larger than the input "
                                         r"of shape \(2, 5\)"):
        corr2d(torch.ones(2, 5), torch.ones(3, 3))
    with pytest.raises(ValueError, match="must be 2-D"):
        corr2d(torch.ones(1, 2, 5), torch.ones(2, 2))
    with pytest.raises(ValueError, match="3 channels but the kernel has 2"):
        corr2d_multi_in(torch.ones(3, 4, 4), torch.ones(2, 2, 2))
    with pytest.raises(ValueError, match="kernel expects 2"):
        corr2d_multi_in_out(torch.ones(3, 4, 4), torch.ones(5, 2, 2, 2))
    with pytest.raises(ValueError, match="not 1×1"):
        corr2d_multi_in_out_1x1(torch.ones(3, 4, 4), torch.ones(5, 3, 2, 2))
    with pytest.raises(ValueError, match="'max' or 'avg'"):
        pool2d(torch.ones(3, 3), (2, 2), mode="mean")


def test_conv2d_layer_forward_is_cross_correlation_plus_bias() -> None:
    torch.manual_seed(5)
    layer = Conv2D(kernel_size=(2, 3))
    with torch.no_grad():
        layer.bias.fill_(0.25)
    X = torch.randn(4, 5)
    expected = F.conv2d(X[None, None], layer.weight[None, None], layer.bias)[0, 0]
    torch.testing.assert_close(layer(X), expected)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_pool2d_window_larger_than_input_is_refused() -> None:
    with pytest.raises(ValueError, match=r"pool window \(4, 1\) does not fit the input of shape"):
        pool2d(torch.ones(3, 3), (4, 1))
