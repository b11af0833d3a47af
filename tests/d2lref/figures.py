"""Test helper: see the figures d2lref shows (plot and predict_ch3 return None, like the
original, so a test reads the figure it showed)."""

from __future__ import annotations

from d2lref import plotting


def record_shown_figures(monkeypatch) -> list:
    """The figures d2lref shows from now on; each is then shown as usual (saved, in tests)."""
    shown: list = []
    real_show = plotting.show_figure
    monkeypatch.setattr(plotting, "show_figure",
                        lambda fig=None: shown.append(fig) or real_show(fig))
    return shown
