"""Plotting outside Jupyter (saved SVG, window) and inside a kernel (inline display)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from d2lref import plotting
from d2lref.plotting import Animator, plot, plt, set_figsize, show_images
from tests.d2lref.figures import record_shown_figures


@pytest.fixture
def figure_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("D2LREF_FIGURE_DIR", str(tmp_path / "figs"))
    return tmp_path / "figs"


@pytest.fixture
def shown(monkeypatch) -> list:
    return record_shown_figures(monkeypatch)


def test_headless_plot_is_saved_and_announced(figure_dir, shown, capsys):
    x = torch.arange(0, 3, 0.5)
    assert plot(x, [x**2, 2 * x - 3], "x", "f(x)", legend=["f(x)", "tangent"]) is None
    [axes] = shown[0].axes
    saved = sorted(figure_dir.glob("*.svg"))
    assert len(saved) == 1
    assert capsys.readouterr().out.strip() == f"figure saved to {saved[0]}"
    lines = axes.get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_ydata(), (x**2).numpy())
    np.testing.assert_allclose(lines[1].get_ydata(), (2 * x - 3).numpy())
    assert axes.get_xlabel() == "x" and [t.get_text() for t in axes.get_legend().texts] == [
        "f(x)", "tangent"]
    assert plt.get_fignums() == []  # closed, like the end of a notebook cell


def test_svg_output_is_deterministic(figure_dir):
    for _ in range(2):
        plot([1, 2, 3], [[1, 4, 9]], "x", "y", legend=["squares"])
    first, second = sorted(figure_dir.glob("*.svg"))
    text = first.read_text()
    assert text == second.read_text()
    assert "<dc:date>" not in text


def test_plot_y_only_uses_the_index(figure_dir, shown):
    plot(np.array([3.0, 1.0, 2.0]))
    [axes] = shown[0].axes
    np.testing.assert_allclose(axes.get_lines()[0].get_xdata(), [0, 1, 2])


def test_plot_into_given_axes_leaves_the_figure_to_the_caller(figure_dir):
    fig, axes = plt.subplots()
    plot([0, 1], [[0, 1]], axes=axes)
    assert not figure_dir.exists() and plt.fignum_exists(fig.number)


def test_interactive_backend_shows_a_window(monkeypatch, figure_dir):
    shown = []
    monkeypatch.setattr(plotting, "_backend_is_interactive", lambda: True)
    monkeypatch.setattr(plt, "show", lambda: shown.append(True))
    plot([0, 1], [[0, 1]])
    assert shown == [True] and not figure_dir.exists()


def test_set_figsize():
    set_figsize((5, 2))
    assert tuple(plt.rcParams["figure.figsize"]) == (5, 2)
    set_figsize()
    assert tuple(plt.rcParams["figure.figsize"]) == (3.5, 2.5)


def test_animator_headless_redraws_one_file(figure_dir, capsys):
    animator = Animator(xlabel="epoch", xlim=[1, 3], legend=["loss", "acc"])
    for epoch in range(1, 4):
        animator.add(epoch, (1 / epoch, None if epoch == 2 else epoch / 4))
    assert capsys.readouterr().out.strip() == f"figure saved to {animator.path}"
    assert sorted(figure_dir.glob("*.svg")) == [animator.path]
    loss_line, acc_line = animator.axes[0].get_lines()
    np.testing.assert_allclose(loss_line.get_xydata(), [[1, 1], [2, 0.5], [3, 1 / 3]])
    np.testing.assert_allclose(acc_line.get_xydata(), [[1, 0.25], [3, 0.75]])  # None skipped
    assert animator.axes[0].get_xlim() == (1, 3)


def test_animator_in_a_kernel_updates_one_display(monkeypatch):
    import IPython.display

    events = []

    class Handle:
        def update(self, obj):
            events.append(("update", obj))

    def fake_display(obj, display_id=None):
        events.append(("display", obj, display_id))
        return Handle()

    monkeypatch.setattr(plotting, "_in_ipython_kernel", lambda: True)
    monkeypatch.setattr(plotting, "use_svg_display", lambda: None)
    monkeypatch.setattr(IPython.display, "display", fake_display)
    animator = Animator(legend=["loss"])
    assert not plt.fignum_exists(animator.fig.number)  # the inline backend will not repeat it
    animator.add(1, 0.5)
    animator.add(2, 0.25)
    assert events == [("display", animator.fig, True), ("update", animator.fig)]


def test_show_images_draws_each_image(figure_dir):
    images = torch.rand(6, 1, 8, 8)
    axes = show_images(images, 2, 3, titles=list("abcdef"))
    assert len(axes) == 6
    np.testing.assert_allclose(axes[4].images[0].get_array(), images[4, 0].numpy())
    assert [ax.get_title() for ax in axes] == list("abcdef")
    assert len(list(figure_dir.glob("*.svg"))) == 1


def test_show_images_accepts_rgb_and_arrays(figure_dir):
    rgb = torch.rand(3, 4, 5)
    axes = show_images([rgb, np.zeros((4, 5))], 1, 2)
    assert axes[0].images[0].get_array().shape == (4, 5, 3)


def test_use_svg_display_sets_inline_svg(monkeypatch):
    backend_inline = pytest.importorskip("matplotlib_inline.backend_inline")
    calls = []
    monkeypatch.setattr(plotting, "_in_ipython_kernel", lambda: True)
    monkeypatch.setattr(backend_inline, "set_matplotlib_formats",
                        lambda *formats, **kw: calls.append((formats, kw)))
    plotting.use_svg_display()
    assert calls == [(("svg",), {"metadata": {"Date": None}})]


def test_not_in_a_kernel_during_tests():
    assert plotting._in_ipython_kernel() is False


# --- figures of scripts: never overwritten unasked, never a reason to stop -------------------

def test_new_figures_never_overwrite_those_of_an_earlier_run(figure_dir, capsys):
    figure_dir.mkdir()
    earlier = [figure_dir / f"figure-{number:03d}.svg" for number in range(1, 301)]
    for path in earlier:
        path.write_text("an earlier run's figure")
    (figure_dir / "notes.txt").write_text("not a figure")
    plot(np.array([1.0, 2.0]))
    animator = Animator(legend=["loss"])
    animator.add(1, 0.5)
    animator.add(2, 0.4)
    assert all(path.read_text() == "an earlier run's figure" for path in earlier)
    assert animator.path == figure_dir / "figure-302.svg"
    assert capsys.readouterr().out.splitlines() == [
        f"figure saved to {figure_dir / 'figure-301.svg'}",
        f"figure saved to {figure_dir / 'figure-302.svg'}"]


def test_train_ch6_in_a_folder_it_cannot_write_warns_once_and_trains(monkeypatch, capsys):
    from torch import nn

    from d2lref.data import load_array
    from d2lref.training import train_ch6

    monkeypatch.delenv("D2LREF_FIGURE_DIR")
    monkeypatch.chdir("/proc")  # no folder can be created here, not even by root
    monkeypatch.setattr(plotting, "_save_failure_shown", False, raising=False)
    torch.manual_seed(0)
    X, y = torch.randn(64, 1, 4, 4), torch.arange(64) % 10
    data = load_array((X, y), 16)
    with pytest.warns(RuntimeWarning) as caught:
        result = train_ch6(nn.Sequential(nn.Flatten(), nn.Linear(16, 10)), data, data, 3,
                           0.1, "cpu")
        plot(np.array([1.0, 2.0]))  # later figures are not saved either, and say nothing
    assert result.num_epochs == 3 and len(result.history) == 3
    [warning] = caught
    assert "figures are not saved: cannot write to /proc/d2lref-figures" in str(warning.message)
    assert "D2LREF_FIGURE_DIR" in str(warning.message)
    assert "figure saved" not in capsys.readouterr().out
