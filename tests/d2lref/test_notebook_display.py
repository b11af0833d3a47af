"""What a reader's Jupyter shows for a cell that ends with one of the book's calls.

Runs the cells in a real IPython kernel (nbclient) and compares each cell's outputs with the
original d2l 0.17.6, whose ``plot``, ``predict_ch3``, ``train_ch3`` and ``train_ch6`` return
``None``: the figure and the printed lines, nothing else.
"""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

SETUP = """
import torch
from torch import nn
from d2lref import torch as d2l
torch.manual_seed(0)
X, y = torch.rand(48, 1, 28, 28), torch.arange(48) % 10
data = d2l.load_array((X, y), 16)
"""

CELLS = {
    "plot": "x = torch.arange(0, 3, 0.5)\nd2l.plot(x, [x ** 2, 2 * x - 3], 'x', 'f(x)')",
    "predict_ch3": "d2l.predict_ch3(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), data)",
    "train_ch3": ("net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))\n"
                  "d2l.train_ch3(net, data, data, nn.CrossEntropyLoss(reduction='none'), 2,\n"
                  "              torch.optim.SGD(net.parameters(), lr=0.1))"),
    "train_ch6": ("result = d2l.train_ch6(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)),\n"
                  "                       data, data, 2, 0.1, 'cpu')\n"
                  "result"),
    "later": "result",
    "runner": ("import os\nos.environ['D2LREF_PUBLISH_METRICS'] = '1'\n"
               "d2l.train_ch6(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)),\n"
               "              data, data, 1, 0.1, 'cpu')"),
}


def _kinds(outputs: list[dict]) -> list[str]:
    """Each output as its type, with the MIME types of display data."""
    kinds = []
    for output in outputs:
        if output["output_type"] == "stream":
            kinds.append(f"stream:{output['name']}")
        elif output["output_type"] == "error":
            kinds.append(f"error:{output['ename']}: {output['evalue']}")
        else:
            kinds.append(f"{output['output_type']}:{','.join(sorted(output['data']))}")
    return kinds


@pytest.fixture(scope="module")
def cell_outputs(tmp_path_factory) -> dict[str, list[dict]]:
    """Run SETUP and CELLS in one kernel, as a reader's notebook; outputs by cell name."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SETUP)]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in CELLS.values()]
    env = {name: value for name, value in os.environ.items()
           if name not in ("MPLBACKEND", "D2LREF_PUBLISH_METRICS", "D2LREF_MODE")}
    workdir = tmp_path_factory.mktemp("notebook")
    client = NotebookClient(notebook, kernel_name="python3", timeout=240)
    with client.setup_kernel(env=env, cwd=str(workdir)):
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
    assert _kinds(notebook.cells[0]["outputs"]) == []
    return dict(zip(CELLS, (cell["outputs"] for cell in notebook.cells[1:]), strict=True))


@pytest.mark.parametrize("name", ["plot", "predict_ch3"])
def test_a_plotting_cell_shows_the_figure_only(cell_outputs, name):
    assert _kinds(cell_outputs[name]) == ["display_data:image/svg+xml,text/plain"]


@pytest.mark.parametrize("name", ["train_ch3", "train_ch6"])
def test_a_training_cell_shows_the_curve_and_the_printed_lines_only(cell_outputs, name):
    outputs = cell_outputs[name]
    figures = [o for o in outputs if o["output_type"] == "display_data"]
    printed = "".join(o["text"] for o in outputs if o["output_type"] == "stream")
    assert len(figures) == 1 and "image/svg+xml" in figures[0]["data"]
    assert [o["output_type"] for o in outputs if o not in figures] == ["stream"] * (
        len(outputs) - 1)
    lines = printed.splitlines()
    assert lines[-1 if name == "train_ch3" else -2].startswith("loss ")
    if name == "train_ch6":
        assert lines[0] == "training on cpu" and lines[-1].endswith(" examples/sec on cpu")


def test_a_result_shown_later_is_one_line(cell_outputs):
    [output] = cell_outputs["later"]
    text = output["data"]["text/plain"]
    assert output["output_type"] == "display_data" and list(output["data"]) == ["text/plain"]
    assert text.startswith("TrainResult(train_loss=") and "\n" not in text
    assert text.endswith(" examples/sec, 2 epochs on cpu, full mode)")


def test_the_metrics_output_is_for_the_books_runner_only(cell_outputs):
    mime = "application/vnd.d2lref.metrics+json"
    assert not any(mime in output.get("data", {}) for name in ("train_ch3", "train_ch6")
                   for output in cell_outputs[name])
    [metrics] = [o for o in cell_outputs["runner"] if mime in o.get("data", {})]
    assert metrics["data"][mime]["num_epochs"] == 1


def test_the_books_runner_asks_for_metrics():
    from book.runner import RunOptions, kernel_env
    from d2lref.training.report import PUBLISH_METRICS_ENV

    assert kernel_env(RunOptions(mode="quick"))[PUBLISH_METRICS_ENV] == "1"
