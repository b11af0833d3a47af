"""LeNet from d2lref against the book's layer table and a hand-counted parameter total."""

import torch
from torch import nn

from d2lref.models.lenet import lenet


def test_lenet_output_shapes_follow_the_book() -> None:
    net = lenet()
    X = torch.rand(2, 1, 28, 28)
    shapes = []
    for layer in net:
        X = layer(X)
        shapes.append(tuple(X.shape[1:]))
    assert shapes == [
        (6, 28, 28), (6, 28, 28), (6, 14, 14),
        (16, 10, 10), (16, 10, 10), (16, 5, 5),
        (400,), (120,), (120,), (84,), (84,), (10,),
    ]


def test_lenet_parameter_count_equals_hand_count() -> None:
    # conv1: 6·(1·5·5)+6, conv2: 16·(6·5·5)+16, dense: 400·120+120, 120·84+84, 84·10+10
    by_hand = (6 * 25 + 6) + (16 * 6 * 25 + 16)
    by_hand += (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
    assert by_hand == 61_706
    assert sum(p.numel() for p in lenet().parameters()) == by_hand


def test_lenet_uses_sigmoid_and_average_pooling() -> None:
    kinds = [type(m) for m in lenet()]
    assert kinds.count(nn.Sigmoid) == 4
    assert kinds.count(nn.AvgPool2d) == 2
    assert nn.ReLU not in kinds and nn.MaxPool2d not in kinds


def test_gradients_reach_every_parameter() -> None:
    torch.manual_seed(0)
    net = lenet()
    X, y = torch.rand(8, 1, 28, 28), torch.randint(0, 10, (8,))
    nn.CrossEntropyLoss()(net(X), y).backward()
    for name, param in net.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
