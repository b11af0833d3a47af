"""The book's plotting helpers, working in Jupyter, in a script and on a headless machine.

Inside an IPython kernel figures are shown inline as SVG and :class:`Animator` redraws in
place. Elsewhere a figure goes to a window when matplotlib has an interactive backend, and
otherwise is saved as SVG under ``./d2lref-figures/`` (or ``D2LREF_FIGURE_DIR``) with its path
printed, so a plot never disappears silently. Each new figure takes the next free number
there (``figure-001.svg``, ``figure-002.svg``, ...), so the figures of an earlier run are never
overwritten; a folder that cannot be written warns once and the code goes on (training never
stops for a figure). SVG output is deterministic (fixed hash salt, no date) so re-running the
same code gives the same file.
"""

from __future__ import annotations

import itertools
import os
import pathlib
import re
import warnings
from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
import torch
from matplotlib import pyplot as plt

from d2lref._kernel import kernel_shell

__all__ = [
    "Animator",
    "figure_dir",
    "plot",
    "plt",
    "save_figure",
    "set_axes",
    "set_figsize",
    "show_figure",
    "show_images",
    "use_svg_display",
]

# Same ids and no time stamp in every SVG, so that stored outputs only change with the code.
matplotlib.rcParams["svg.hashsalt"] = "d2lref"
_SVG_METADATA = {"Date": None}

_DEFAULT_FMTS = ("-", "m--", "g-.", "r:")
_FIGURE_NAME = re.compile(r"figure-(\d+)\.svg")
_save_failure_shown = False


def _in_ipython_kernel() -> bool:
    """True inside a Jupyter kernel (not in a plain script or a terminal IPython)."""
    return kernel_shell() is not None


def _backend_is_interactive() -> bool:
    backend = matplotlib.get_backend().lower()
    try:
        from matplotlib.backends import BackendFilter, backend_registry

        return backend in backend_registry.list_builtin(BackendFilter.INTERACTIVE)
    except ImportError:  # matplotlib < 3.9
        from matplotlib import rcsetup

        # rcsetup.interactive_bk is gone from newer matplotlib (and its type stubs).
        return backend in [name.lower()
                           for name in rcsetup.interactive_bk]  # type: ignore[attr-defined]


def use_svg_display() -> None:
    """Show figures as SVG inside Jupyter (elsewhere figures are saved as SVG anyway)."""
    if _in_ipython_kernel():
        from matplotlib_inline import backend_inline

        backend_inline.set_matplotlib_formats("svg", metadata=_SVG_METADATA)


def set_figsize(figsize: tuple[float, float] = (3.5, 2.5)) -> None:
    """Set the default figure size (inches) and use SVG display."""
    use_svg_display()
    plt.rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend) -> None:
    """Set the labels, limits, scales and legend of matplotlib ``axes`` (book order)."""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def figure_dir() -> pathlib.Path:
    """Where figures are saved outside Jupyter: ``D2LREF_FIGURE_DIR`` or ``./d2lref-figures``."""
    return pathlib.Path(os.environ.get("D2LREF_FIGURE_DIR") or "d2lref-figures")


def save_figure(fig: matplotlib.figure.Figure, path: str | os.PathLike[str] | None = None,
                *, announce: bool = True) -> pathlib.Path | None:
    """Save ``fig`` as a deterministic SVG at ``path``, or else as the next free
    ``figure-NNN.svg`` of :func:`figure_dir` (the figures of earlier runs are kept).

    Saving to an explicit ``path`` raises on failure. An automatic save that fails (e.g. a
    read-only working folder) warns once per process and returns None.
    """
    if path is not None:
        return _write_svg(fig, pathlib.Path(path), announce)
    try:
        return _write_svg(fig, _claim_figure_path(), announce)
    except OSError as error:
        _warn_save_failed(error)
        return None


def _write_svg(fig: matplotlib.figure.Figure, path: pathlib.Path,
               announce: bool) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata=_SVG_METADATA, bbox_inches="tight")
    if announce:
        print(f"figure saved to {path}")
    return path


def _claim_figure_path() -> pathlib.Path:
    """Create (empty) and return the next free ``figure-NNN.svg`` in :func:`figure_dir`.

    Created exclusively, so two scripts saving at once never take the same number.
    """
    folder = figure_dir()
    folder.mkdir(parents=True, exist_ok=True)
    taken = [int(match.group(1)) for entry in folder.iterdir()
             if (match := _FIGURE_NAME.fullmatch(entry.name))]
    number = max(taken, default=0) + 1
    while True:
        path = folder / f"figure-{number:03d}.svg"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            number += 1
            continue
        return path


def _warn_save_failed(error: OSError) -> None:
    global _save_failure_shown
    if _save_failure_shown:
        return
    _save_failure_shown = True
    warnings.warn(
        f"figures are not saved: cannot write to {figure_dir().resolve()} ({error}). The code "
        "goes on without them; set D2LREF_FIGURE_DIR to a writable folder to keep them.",
        RuntimeWarning, stacklevel=3)


def show_figure(fig: matplotlib.figure.Figure | None = None) -> pathlib.Path | None:
    """Show a finished figure the way the environment allows (see the module docstring).

    In Jupyter the inline backend shows it at the end of the cell; with an interactive backend
    a window opens; otherwise the figure is saved, closed, and the saved path returned.
    """
    fig = fig if fig is not None else plt.gcf()
    if _in_ipython_kernel():
        return None
    if _backend_is_interactive():
        plt.show()
        return None
    path = save_figure(fig)
    plt.close(fig)  # as a notebook cell would: the next plot starts a fresh figure
    return path


def _has_one_axis(X: Any) -> bool:
    return (hasattr(X, "ndim") and X.ndim == 1) or (
        isinstance(X, list) and not hasattr(X[0], "__len__"))


def _as_plottable(values: Any) -> Any:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return values


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts: Sequence[str] = _DEFAULT_FMTS,
         figsize=(3.5, 2.5), axes=None) -> None:
    """Plot data points (the book's ``plot``): ``X`` alone, or one or more ``Y`` against ``X``.

    Returns None, as the book's helper, so a notebook cell ending with it shows the figure
    only. When ``axes`` is given the caller owns the figure and shows it; otherwise the
    figure is shown (see :func:`show_figure`).
    """
    if legend is None:
        legend = []
    own_figure = axes is None
    set_figsize(figsize)
    axes = axes if axes is not None else plt.gca()

    if _has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X
    elif _has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    axes.cla()
    for x, y, fmt in zip(X, Y, itertools.cycle(fmts)):
        x, y = _as_plottable(x), _as_plottable(y)
        if len(x):
            axes.plot(x, y, fmt)
        else:
            axes.plot(y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    if own_figure:
        show_figure(axes.figure)


class Animator:
    """Plot data that arrives point by point, e.g. a training curve (the book's ``Animator``).

    In Jupyter the figure is redrawn in place; headless it is re-saved to one SVG file whose
    path is printed once; with an interactive backend a window is updated.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale="linear", yscale="linear", fmts: Sequence[str] = _DEFAULT_FMTS,
                 nrows: int = 1, ncols: int = 1, figsize=(3.5, 2.5)) -> None:
        if legend is None:
            legend = []
        use_svg_display()
        self.fig, self.axes = plt.subplots(nrows, ncols, figsize=figsize)
        if nrows * ncols == 1:
            self.axes = [self.axes]
        self.config_axes = lambda: set_axes(
            self.axes[0], xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
        self.X: list[list[float]] | None = None
        self.Y: list[list[float]] | None = None
        self.fmts = fmts
        self._display_handle = None
        self.path: pathlib.Path | None = None
        self._save_failed = False
        self._in_kernel = _in_ipython_kernel()
        if self._in_kernel:
            # Detach from pyplot: the figure is shown through its own display below, so the
            # inline backend must not show it a second time at the end of the cell.
            plt.close(self.fig)

    def add(self, x, y) -> None:
        """Add one point to each line: ``y`` is a number or one value per line."""
        if not hasattr(y, "__len__"):
            y = [y]
        n = len(y)
        if not hasattr(x, "__len__"):
            x = [x] * n
        if not self.X:
            self.X = [[] for _ in range(n)]
        if not self.Y:
            self.Y = [[] for _ in range(n)]
        for i, (a, b) in enumerate(zip(x, y, strict=False)):
            if a is not None and b is not None:
                self.X[i].append(float(a))
                self.Y[i].append(float(b))
        self.axes[0].cla()
        for x_values, y_values, fmt in zip(self.X, self.Y, itertools.cycle(self.fmts)):
            self.axes[0].plot(x_values, y_values, fmt)
        self.config_axes()
        self._refresh()

    def _refresh(self) -> None:
        if self._in_kernel:
            from IPython.display import display

            # Update only this figure's output (other printed lines of the cell stay).
            if self._display_handle is None:
                self._display_handle = display(self.fig, display_id=True)
            else:
                self._display_handle.update(self.fig)
        elif _backend_is_interactive():
            plt.pause(0.001)
        elif self.path is None:
            if not self._save_failed:
                self.path = save_figure(self.fig)  # the next free number, announced
                self._save_failed = self.path is None
        else:
            try:
                save_figure(self.fig, self.path, announce=False)  # redrawn in its own file
            except OSError as error:  # e.g. the folder was removed meanwhile
                _warn_save_failed(error)


def show_images(imgs, num_rows: int, num_cols: int, titles=None, scale: float = 1.5):
    """Show a grid of images (tensors ``(H, W)``, ``(1, H, W)``, ``(C, H, W)`` or arrays).

    Returns the flattened array of axes, as the book's helper.
    """
    use_svg_display()
    shown = min(len(imgs), num_rows * num_cols) if hasattr(imgs, "__len__") else 0
    if titles and len(titles) < shown:
        raise ValueError(f"show_images got {len(titles)} titles for {shown} images; give one "
                         "title per image, or titles=None.")
    figsize = (num_cols * scale, num_rows * scale)
    fig, axes = plt.subplots(num_rows, num_cols, figsize=figsize)
    axes = np.asarray(axes).flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs, strict=False)):
        if isinstance(img, torch.Tensor):
            img = img.detach().cpu()
            if img.dim() == 3 and img.shape[0] in (1, 3, 4):
                img = img.permute(1, 2, 0)  # channels last, as imshow expects
            if img.dim() == 3 and img.shape[-1] == 1:
                img = img[..., 0]
            img = img.numpy()
        ax.imshow(img)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    show_figure(fig)
    return axes


if _in_ipython_kernel():
    # Figures drawn with plain ``plt`` before any helper is called are SVG without a date too.
    try:
        use_svg_display()
    except ImportError:  # matplotlib-inline missing: the kernel keeps its own setting
        pass
