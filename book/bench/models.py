"""The benchmarked models and the book's settings for each (batch size, resize, learning rate)."""

from __future__ import annotations

import dataclasses

from torch import nn

__all__ = ["BENCH_SETTINGS", "BenchSettings", "build_model"]


@dataclasses.dataclass(frozen=True)
class BenchSettings:
    """The book's hyper-parameters of one model, used identically by both implementations."""

    batch_size: int
    lr: float
    resize: int | None
    image_size: int  # side of the images the model sees (28 or the resize)


BENCH_SETTINGS: dict[str, BenchSettings] = {
    "lenet": BenchSettings(batch_size=256, lr=0.9, resize=None, image_size=28),
    "mlp": BenchSettings(batch_size=256, lr=0.1, resize=None, image_size=28),
    "alexnet": BenchSettings(batch_size=128, lr=0.01, resize=224, image_size=224),
    "resnet18": BenchSettings(batch_size=256, lr=0.05, resize=96, image_size=96),
}


def build_model(name: str) -> nn.Module:
    """A fresh, untrained model of the book (the same definition for both implementations)."""
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    if name == "lenet":
        from d2lref.models.lenet import lenet

        return lenet()
    if name == "alexnet":
        from d2lref.models.alexnet import alexnet

        return alexnet()
    if name == "resnet18":
        from d2lref.models.resnet import resnet18

        return resnet18()
    raise ValueError(f"unknown model {name!r}; choose one of {', '.join(BENCH_SETTINGS)}.")
