"""What ``train_ch3`` and ``train_ch6`` return: the numbers of their last printed lines."""

from __future__ import annotations

import dataclasses
from typing import Any

from d2lref.training.report import publish_metrics

__all__ = ["TrainResult", "report_training"]


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


def report_training(history: list[dict[str, float]], *, device: str, mode: str,
                    examples_per_sec: float | None = None,
                    cuda_settings: dict[str, bool] | None = None) -> TrainResult:
    """Print the book's closing lines of a training run and return them as a TrainResult."""
    last = history[-1]
    train_loss, train_acc, test_acc = last["train_loss"], last["train_acc"], last["test_acc"]
    print(f"loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    if examples_per_sec is not None:
        print(f"{examples_per_sec:.1f} examples/sec on {device}")
    result = TrainResult(train_loss, train_acc, test_acc, examples_per_sec, device, mode,
                         len(history), tuple(history), cuda_settings or {})
    publish_metrics(result.as_dict())
    return result
