"""The book's training loops, ``train_ch3`` and ``train_ch6``, returning their metrics.

Semantics follow the book (same initialization, optimizer, loss and epochs). For speed, loss
sums and correct counts stay tensors on the device and are read once per epoch, instead of a
``float()`` (a device synchronization) after every batch.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

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
from d2lref.training.metrics import correct_count, evaluate_accuracy, evaluate_accuracy_gpu
from d2lref.training.report import publish_metrics

__all__ = ["TrainResult", "train_ch3", "train_ch6", "train_epoch_ch3"]


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """What a training run measured (the numbers of its last printed lines)."""

    train_loss: float
    train_acc: float
    test_acc: float
    examples_per_sec: float | None
    device: str
    mode: str
    num_epochs: int
    history: tuple[dict[str, float], ...] = ()
    # How CUDA computed (TF32, cuDNN autotuning), recorded with the results; empty elsewhere.
    cuda_settings: dict[str, bool] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        values = dataclasses.asdict(self)
        values["history"] = [dict(epoch) for epoch in self.history]
        return values


def _check_output_shape(y_hat: torch.Tensor, y: torch.Tensor) -> None:
    """Raise a clear error when a classifier's output does not fit its class labels."""
    problem = output_shape_problem(y_hat, y)
    if problem is not None:
        raise ValueError(problem)


def _loss_of(loss: Callable, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``loss(y_hat, y)``; when the loss fails, name the output shape if it is the cause."""
    try:
        return loss(y_hat, y)
    except (RuntimeError, ValueError, IndexError) as error:
        problem = output_shape_problem(y_hat, y)
        if problem is not None:
            raise ValueError(problem) from error
        raise


def _progress(total: int, description: str):
    """A tqdm bar over batches, only when someone watches a terminal."""
    if not sys.stderr.isatty():
        return None  # notebooks, CI logs and captured output get no bar
    try:
        from tqdm import tqdm  # the terminal bar (tqdm.auto warns in kernels without widgets)
    except ImportError:  # tqdm is a dependency, but a bar is never worth a crash
        return None
    return tqdm(total=total, desc=description, leave=False, unit="batch")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


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
    if count == 0:
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
        history.append(
            {
                "epoch": epoch + 1,
                "train_loss": train_loss,
                "train_acc": train_acc,
                "test_acc": test_acc,
            }
        )
    print(f"loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    device = "cpu"
    if isinstance(net, nn.Module):
        parameter = next(iter(net.parameters()), None)
        device = str(parameter.device) if parameter is not None else "cpu"
    result = TrainResult(train_loss, train_acc, test_acc, None, device, mode, epochs,
                         tuple(history))
    publish_metrics(result.as_dict())
    return result


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
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    net.to(device, memory_format=memory_format)
    # Batches cut from decoded tensors are then made (and resized) on the training
    # device, instead of on the CPU and copied over every batch.
    train_iter, test_iter = (
        _batches_on(train_iter, device),
        _batches_on(test_iter, device),
    )
    cuda_settings = _fast_cuda_math() if device.type == "cuda" else {}
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    animator = Animator(xlabel="epoch", xlim=_epoch_xlim(epochs),
                        legend=["train loss", "train acc", "test acc"])
    num_batches = len(train_iter)
    # The book plots the running train metrics 5 times per epoch; snapshots are kept as
    # tensors and read with the rest at the end of the epoch.
    plot_every = max(1, num_batches // 5)
    train_seconds, train_examples = 0.0, 0
    history = []
    checked = False
    for epoch in range(epochs):
        net.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.int64)
        count = 0
        snapshots: list[tuple[float, torch.Tensor, torch.Tensor, int]] = []
        batch_losses: list[torch.Tensor] = []
        bar = _progress(num_batches, f"epoch {epoch + 1}/{epochs}")
        _sync(device)
        start = time.perf_counter()
        for i, (X, y) in enumerate(train_iter):
            X = X.to(device, non_blocking=True)
            if channels_last and X.dim() == 4:
                X = X.contiguous(memory_format=torch.channels_last)
            y = y.to(device, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            y_hat = net(X)
            if not checked:
                _check_output_shape(y_hat, y)  # before the first optimization step
                checked = True
            mean_loss = loss(y_hat, y)
            mean_loss.backward()
            optimizer.step()
            with torch.no_grad():
                loss_sum += mean_loss.detach() * X.shape[0]
                correct += correct_count(y_hat, y)
            batch_losses.append(
                mean_loss.detach()
            )  # read only if the loss is not finite
            count += X.shape[0]
            if (i + 1) % plot_every == 0 or i == num_batches - 1:
                snapshots.append((epoch + (i + 1) / num_batches, loss_sum.clone(),
                                  correct.clone(), count))
            if bar is not None:
                bar.update()
        _sync(device)
        train_seconds += time.perf_counter() - start
        train_examples += count
        if bar is not None:
            bar.close()
        if count == 0:
            raise ValueError("train_iter gave no examples; check the data loader.")
        raise_if_loss_not_finite(loss_sum, batch_losses, epoch + 1)
        for x, snap_loss, snap_correct, snap_count in snapshots:
            animator.add(
                x,
                (float(snap_loss) / snap_count, float(snap_correct) / snap_count, None),
            )
        train_loss = float(loss_sum) / count
        train_acc = float(correct) / count
        test_acc = evaluate_accuracy_gpu(net, test_iter, device)
        animator.add(epoch + 1, (None, None, test_acc))
        history.append(
            {
                "epoch": epoch + 1,
                "train_loss": train_loss,
                "train_acc": train_acc,
                "test_acc": test_acc,
            }
        )
    examples_per_sec = train_examples / max(train_seconds, 1e-9)
    print(f"loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    print(f"{examples_per_sec:.1f} examples/sec on {device}")
    result = TrainResult(
        train_loss,
        train_acc,
        test_acc,
        examples_per_sec,
        str(device),
        mode,
        epochs,
        tuple(history),
        cuda_settings,
    )
    publish_metrics(result.as_dict())
    return result
