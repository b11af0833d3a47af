"""What ``train_ch3`` and ``train_ch6`` return: the numbers of their last printed lines.

The original d2l's loops return ``None``, so a notebook cell ending with ``d2l.train_ch6(...)``
shows the figure and the printed lines only. A :class:`TrainResult` keeps that: in the cell
that trained it displays nothing (the same numbers were just printed); shown in a later cell,
or printed, it is one line.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from d2lref._kernel import kernel_shell
from d2lref.training.report import publish_metrics

__all__ = ["TrainResult", "report_training"]


def _cell_number() -> int | None:
    """The number of the notebook cell running now, or None outside a Jupyter kernel."""
    shell = kernel_shell()
    return None if shell is None else shell.execution_count


@dataclasses.dataclass(frozen=True, repr=False)
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

    def __post_init__(self) -> None:
        # Not a field: equality, as_dict() and copies ignore where the result was made.
        object.__setattr__(self, "_made_in_cell", _cell_number())

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values."""
        values = dataclasses.asdict(self)
        values["history"] = [dict(epoch) for epoch in self.history]
        return values

    def __repr__(self) -> str:
        speed = ("" if self.examples_per_sec is None
                 else f", {self.examples_per_sec:.1f} examples/sec")
        return (f"TrainResult(train_loss={self.train_loss:.3f}, "
                f"train_acc={self.train_acc:.3f}, test_acc={self.test_acc:.3f}{speed}, "
                f"{self.num_epochs} epochs on {self.device}, {self.mode} mode)")

    def _ipython_display_(self) -> None:
        """Nothing in the cell that trained (as the original's ``None``), else the summary."""
        if getattr(self, "_made_in_cell", None) == _cell_number():
            return
        from IPython.display import display

        display({"text/plain": repr(self)}, raw=True)


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
