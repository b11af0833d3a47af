"""The book's training loops, ``train_ch3`` and ``train_ch6``, returning their metrics.

Semantics follow the book (same initialization, optimizer, loss and epochs). For speed, loss
sums and correct counts stay tensors on the device and are read once per epoch, instead of a
``float()`` (a device synchronization) after every batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

from d2lref import config
from d2lref.plotting import Animator
from d2lref.training.checks import (
    check_learning_rate,
    check_updater,
    epochs_to_train,
    output_shape_problem,
    raise_if_loss_not_finite,
)
from d2lref.training.epoch import DeviceTimer, EpochMetrics, train_epoch_ch6
from d2lref.training.metrics import correct_count, evaluate_accuracy, evaluate_accuracy_gpu
from d2lref.training.result import TrainResult, report_training

__all__ = ["TrainResult", "train_ch3", "train_ch6", "train_epoch_ch3"]


def _loss_of(loss: Callable, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``loss(y_hat, y)``; when the loss fails, name the output shape if it is the cause."""
    try:
        return loss(y_hat, y)
    except (RuntimeError, ValueError, IndexError) as error:
        problem = output_shape_problem(y_hat, y)
        if problem is not None:
            raise ValueError(problem) from error
        raise


def _num_examples(data_iter: Iterable) -> int | None:
    dataset = getattr(data_iter, "dataset", None)
    try:
        return len(dataset) if dataset is not None else None
    except TypeError:
        return None


def _announce_mode(num_epochs: int, epochs: int, train_iter: Iterable) -> str:
    mode = config.get_mode()
    if mode == "quick":
        examples = _num_examples(train_iter)
        on = f" on {examples} examples" if examples is not None else ""
        print(f"quick mode: {epochs} of {num_epochs} epochs{on}")
        try:
            steps: int | None = epochs * len(train_iter)  # type: ignore[arg-type]
        except TypeError:  # a generator of batches has no length
            steps = None
        config.note_quick_mode("train", epochs=epochs, requested=num_epochs,
                               examples=examples, steps=steps)
    return mode


def train_epoch_ch3(
    net, train_iter: Iterable, loss: Callable, updater
) -> tuple[float, float]:
    """Train one epoch (chapter 3) and return ``(mean loss, accuracy)``.

    ``updater`` is a ``torch.optim.Optimizer`` or a callable ``updater(batch_size)``
    (the from-scratch ``sgd``); a callable gets the gradient of the summed loss, as in
    the book. As in the book, the returned loss is the sum of ``loss(y_hat, y)`` over
    the batches divided by the number of labels (use ``reduction="none"``), and any
    model runs: a regression model's "accuracy" counts exactly equal predictions.
    """
    return _train_epoch(net, train_iter, loss, updater, epoch=None)


def _train_epoch(net, train_iter: Iterable, loss: Callable, updater,
                 epoch: int | None) -> tuple[float, float]:
    check_updater(updater)  # before any backward(): nothing stale left in .grad
    if isinstance(net, nn.Module):
        net.train()
    loss_sum = correct = None
    batch_losses: list[torch.Tensor] = []
    count = 0
    for X, y in train_iter:
        y_hat = net(X)
        losses = _loss_of(loss, y_hat, y)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            losses.mean().backward()
            updater.step()
        else:
            losses.sum().backward()
            updater(X.shape[0])
        with torch.no_grad():
            batch_loss = losses.detach().sum()
            batch_correct = correct_count(y_hat, y)
        batch_losses.append(batch_loss)  # read only if the epoch's loss is not finite
        loss_sum = batch_loss if loss_sum is None else loss_sum + batch_loss
        correct = batch_correct if correct is None else correct + batch_correct
        count += y.numel()
    if count == 0 or loss_sum is None or correct is None:
        raise ValueError("train_iter gave no examples; check the data loader.")
    raise_if_loss_not_finite(loss_sum, batch_losses, epoch)
    return float(loss_sum) / count, float(correct) / count


def train_ch3(
    net,
    train_iter: Iterable,
    test_iter: Iterable,
    loss: Callable,
    num_epochs: int,
    updater,
) -> TrainResult:
    """Train a model (chapter 3); plot loss and accuracies, print and return metrics.

    Each epoch is :func:`train_epoch_ch3` followed by ``evaluate_accuracy`` on
    ``test_iter``.
    """
    check_updater(updater)
    epochs = epochs_to_train(num_epochs)
    mode = _announce_mode(num_epochs, epochs, train_iter)
    animator = Animator(xlabel="epoch", xlim=_epoch_xlim(epochs), ylim=[0.3, 0.9],
                        legend=["train loss", "train acc", "test acc"])
    history = []
    for epoch in range(epochs):
        train_loss, train_acc = _train_epoch(
            net, train_iter, loss, updater, epoch=epoch + 1
        )
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, (train_loss, train_acc, test_acc))
        history.append(_epoch_record(epoch + 1, train_loss, train_acc, test_acc))
    device = "cpu"
    if isinstance(net, nn.Module):
        parameter = next(iter(net.parameters()), None)
        device = str(parameter.device) if parameter is not None else "cpu"
    return report_training(history, device=device, mode=mode)


def _epoch_xlim(epochs: int) -> list[float]:
    # The book's xlim [1, num_epochs] is empty for a single epoch: show that epoch instead.
    return [1, epochs] if epochs > 1 else [0, 1]


def _init_weights(module: nn.Module) -> None:
    # Exact types, as in the book: subclasses keep their own initialization.
    if type(module) is nn.Linear or type(module) is nn.Conv2d:
        nn.init.xavier_uniform_(module.weight)


def _batches_on(data_iter: Iterable, device: torch.device) -> Iterable:
    """``data_iter`` moved to an accelerator when it can be (``FashionMNISTBatches``)."""
    to_device = getattr(data_iter, "to_device", None)
    if device.type == "cpu" or not callable(to_device):
        return data_iter
    return to_device(device)


def _fast_cuda_math() -> dict[str, bool]:
    """cuDNN autotuning and TF32 convolutions and matrix products; returns what was set.

    TF32 rounds the float32 inputs of products to a 10-bit mantissa and accumulates in float32
    on the tensor cores; PyTorch already allows it for cuDNN convolutions by default. Input
    shapes are fixed, so autotuning pays off from the first epoch. (These two setters read back
    consistently whichever of PyTorch's TF32 APIs a reader used before.)
    """
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = True
    torch.set_float32_matmul_precision("high")  # TF32 for float32 matrix products
    return {"cudnn_benchmark": True, "tf32_conv": True, "tf32_matmul": True}


def train_ch6(
    net: nn.Module,
    train_iter: Iterable,
    test_iter: Iterable,
    num_epochs: int,
    lr: float,
    device: torch.device | str,
    *,
    channels_last: bool = False,
) -> TrainResult:
    """Train a model on a device (chapter 6): Xavier init, SGD, cross-entropy loss.

    Prints ``training on <device>``, then the final ``loss ..., train acc ..., test acc
    ...`` and ``... examples/sec on <device>`` lines; returns the same numbers as a
    :class:`TrainResult`. ``channels_last=True`` stores images and weights channels-last
    (faster convolutions on recent GPUs; same results). On CUDA it trains with cuDNN
    autotuning and TF32 products (see ``cuda_settings`` of the result).
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"train_ch6 trains an nn.Module, got {type(net).__name__}.")
    check_learning_rate(lr)
    device = torch.device(device)
    epochs = epochs_to_train(num_epochs)
    net.apply(_init_weights)
    print("training on", device)
    mode = _announce_mode(num_epochs, epochs, train_iter)
    net.to(device)
    net.to(memory_format=_memory_format(channels_last))
    # Batches cut from decoded tensors are then made (and resized) on the device.
    train_iter = _batches_on(train_iter, device)
    test_iter = _batches_on(test_iter, device)
    cuda_settings = _fast_cuda_math() if device.type == "cuda" else {}
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    animator = Animator(xlabel="epoch", xlim=_epoch_xlim(epochs),
                        legend=["train loss", "train acc", "test acc"])
    timer, num_batches = DeviceTimer(device), _len(train_iter)
    history, examples = [], 0
    for epoch in range(epochs):
        metrics = EpochMetrics(epoch, num_batches, device)
        with timer:
            train_epoch_ch6(net, train_iter, loss, optimizer, metrics, channels_last)
        train_loss, train_acc = metrics.finish()
        metrics.plot(animator)  # running train loss and accuracy, 5 points an epoch
        test_acc = evaluate_accuracy_gpu(net, test_iter, device)
        animator.add(epoch + 1, (None, None, test_acc))
        history.append(_epoch_record(epoch + 1, train_loss, train_acc, test_acc))
        examples += metrics.count
    return report_training(history, device=str(device), mode=mode,
                           examples_per_sec=examples / max(timer.seconds, 1e-9),
                           cuda_settings=cuda_settings)


def _len(train_iter: Iterable) -> int:
    """The number of batches (the plot has 5 points per epoch), or a clear error."""
    try:
        return len(train_iter)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"train_ch6 needs the number of batches, len(train_iter), but a "
                        f"{type(train_iter).__name__} has none; pass a DataLoader or the "
                        "iterators of load_data_fashion_mnist.") from None


def _memory_format(channels_last: bool) -> torch.memory_format:
    return torch.channels_last if channels_last else torch.contiguous_format


def _epoch_record(epoch: int, train_loss: float, train_acc: float,
                  test_acc: float) -> dict[str, float]:
    return {"epoch": epoch, "train_loss": train_loss, "train_acc": train_acc,
            "test_acc": test_acc}
