"""Estimated wall time of the modern-CNN pages' full runs on one H200, before any GPU call.

Each page's settings (epochs, batch size, resize) are read from its snippet; its training
FLOPs per example are counted by PyTorch's ``FlopCounterMode`` and its operators per training
step by a dispatch counter, both on the CPU. The time of a page is

    fixed start-up + other cells + max(FLOPs / achieved FLOP/s, operators x host time per op)

because the GPU runs the kernels while Python launches the next ones: a big model is bound
by arithmetic, a deep model of small layers by the launches. The assumptions are constants
below, stored with the table in ``results/gpu-estimate.json``.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from book.bench.flops import count_training_flops
from book.bench.report import format_table
from book.paths import SNIPPETS_DIR

__all__ = [
    "ESTIMATE_FILE",
    "H200_TF32_DENSE_PEAK",
    "count_step_operators",
    "estimate_pages",
    "format_estimate",
    "load_estimate",
    "page_settings",
]

ESTIMATE_FILE = Path(__file__).resolve().parent / "results" / "gpu-estimate.json"

H200_TF32_DENSE_PEAK = 494.7e12
"""NVIDIA's H200 SXM datasheet: 989 TFLOP/s TF32 Tensor Core with 2:4 sparsity, half dense."""
ASSUMED_MFU = 0.30
"""Share of the dense TF32 peak that eager PyTorch convolutions at these sizes reach."""
PESSIMISTIC_MFU = 0.15
HOST_SECONDS_PER_OP = 10e-6
"""Python and launch time of one eager operator (forward, autograd or optimizer)."""
FIXED_SECONDS_PER_PAGE = 15.0
"""Kernel start, imports, CUDA context, data decoding and cuDNN autotuning of one page."""
TIME_BUDGET_S = 8 * 60.0
"""The six pages and the benchmark together must fit in this."""
TRAIN_EXAMPLES, TEST_EXAMPLES = 60_000, 10_000
# The d2l side of the benchmark makes batches on the CPU (PIL resize + ToTensor) with 4
# loader workers; its epoch is bound by that. Time per image measured on this project's CPU.
D2L_LOADER_WORKERS = 4
BENCH_PROCESS_START_S = 10.0  # imports, CUDA context, data decoding of one benchmark process
BENCH_PEAK_S = 6.0  # fp32, tf32 and bf16 matmul peaks, one second each plus warm-up
# `python -m book.bench layout`: 35 steps of six models in two layouts (under 10 ms a step
# at 30% MFU), cuDNN autotuning of each, and the process start.
LAYOUT_S = 30.0
# Offline install of the carried wheels, unpacking the data and reading the machine's facts
# (about 30 s on this project's busy 2-core CPU), with a margin.
SETUP_S = 45.0

PAGE_MODELS = {
    "convolutional-modern/alexnet.py": "alexnet",
    "convolutional-modern/vgg.py": "vgg11_narrow",
    "convolutional-modern/nin.py": "nin",
    "convolutional-modern/googlenet.py": "googlenet",
    "convolutional-modern/resnet.py": "resnet18",
    "convolutional-modern/densenet.py": "densenet",
}
"""The model each page trains (the builder in ``d2lref.models``)."""


class _OperatorCounter(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def count_step_operators(net: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Operators dispatched by one SGD training step (forward, backward, update) of ``net``.

    The update uses SGD's ``foreach`` path, as PyTorch does on CUDA.
    """
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, foreach=True)
    X = torch.rand(input_shape)
    y = torch.randint(0, 10, (input_shape[0],))
    counter = _OperatorCounter()
    with counter:
        optimizer.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(net(X), y).backward()
        optimizer.step()
    return counter.count


def page_settings(relpath: str, snippets_dir: Path = SNIPPETS_DIR) -> dict[str, Any]:
    """``num_epochs``, ``batch_size``, ``lr`` and ``resize`` as the page's snippet sets them."""
    tree = ast.parse((snippets_dir / relpath).read_text(encoding="utf-8"))
    found: dict[str, Any] = {}
    for statement in tree.body:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target = statement.targets[0]
        names = ([target] if isinstance(target, ast.Name)
                 else list(target.elts) if isinstance(target, ast.Tuple) else [])
        try:
            value = ast.literal_eval(statement.value)
        except ValueError:
            continue
        values = [value] if isinstance(target, ast.Name) else list(value)
        for name, item in zip(names, values, strict=False):
            if isinstance(name, ast.Name) and name.id in ("num_epochs", "batch_size", "lr"):
                found[name.id] = item
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "load_data_fashion_mnist"):
            for keyword in node.keywords:
                if keyword.arg == "resize":
                    found["resize"] = ast.literal_eval(keyword.value)
    missing = {"num_epochs", "batch_size", "lr"} - set(found)
    if missing:
        raise ValueError(f"snippets/{relpath} sets no {', '.join(sorted(missing))} at the top "
                         "level; the estimate reads them from the snippet.")
    found.setdefault("resize", None)
    return found


def _other_cells_seconds(relpath: str) -> float:
    """CPU-measured seconds of the page's cells other than training (stored quick run)."""
    from book.store.files import read_store, store_path

    runs = read_store(store_path(SNIPPETS_DIR, relpath))["runs"]
    cells = (runs.get("quick") or runs.get("full") or {}).get("cells", {})
    return sum(record["duration_s"] for name, record in cells.items() if name != "train")


def _d2l_seconds_per_image(size: int, images: int = 100, repeats: int = 3) -> float:
    """CPU time of the book's transform (PIL resize, then ToTensor) of one image.

    The fastest of ``repeats`` passes: other work on a shared machine only slows a pass down.
    """
    import time

    from PIL import Image
    from torchvision import transforms

    transform = transforms.Compose([transforms.Resize(size), transforms.ToTensor()])
    generator = torch.Generator().manual_seed(0)
    pixels = torch.randint(0, 256, (images, 28, 28), dtype=torch.uint8, generator=generator)
    pictures = [Image.fromarray(p.numpy(), mode="L") for p in pixels]
    passes = []
    for _ in range(repeats):
        start = time.perf_counter()
        for picture in pictures:
            transform(picture)
        passes.append((time.perf_counter() - start) / images)
    return min(passes)


def estimate_pages() -> dict[str, Any]:
    """The estimate of every modern-CNN page and of the benchmark, with its assumptions."""
    import d2lref.models as models

    achieved = H200_TF32_DENSE_PEAK * ASSUMED_MFU
    rows = []
    for relpath, builder in PAGE_MODELS.items():
        settings = page_settings(relpath)
        size = settings["resize"] or 28
        torch.manual_seed(0)
        net = getattr(models, builder)()
        flops = count_training_flops(net, (2, 1, size, size))
        operators = count_step_operators(net, (2, 1, size, size))
        epochs, batch = settings["num_epochs"], settings["batch_size"]
        train_steps = epochs * math.ceil(TRAIN_EXAMPLES / batch)
        test_steps = epochs * math.ceil(TEST_EXAMPLES / batch)
        # Evaluation is a forward pass: about a third of a training step's work.
        work = epochs * (TRAIN_EXAMPLES + TEST_EXAMPLES / 3) * flops
        host = (train_steps + test_steps / 3) * operators * HOST_SECONDS_PER_OP
        compute = work / achieved
        other = _other_cells_seconds(relpath)
        seconds = FIXED_SECONDS_PER_PAGE + other + max(compute, host)
        pessimistic = FIXED_SECONDS_PER_PAGE + other + max(
            work / (H200_TF32_DENSE_PEAK * PESSIMISTIC_MFU), host)
        rows.append({
            "page": relpath, "model": builder, **settings,
            "train_flops_per_example": flops, "operators_per_step": operators,
            "total_flops": work, "compute_s": round(compute, 1), "host_s": round(host, 1),
            "bound": "compute" if compute >= host else "launches",
            "other_cells_s": round(other, 1), "seconds": round(seconds, 1),
            "seconds_at_pessimistic_mfu": round(pessimistic, 1),
        })
    bench = _estimate_benchmark(achieved)
    pages_s = sum(row["seconds"] for row in rows)
    rest = _estimate_rest()
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "torch": torch.__version__.split("+")[0],
        "assumptions": {
            "device": "one NVIDIA H200 (SXM)",
            "tf32_dense_peak_flops": H200_TF32_DENSE_PEAK,
            "assumed_mfu": ASSUMED_MFU,
            "achieved_flops": achieved,
            "pessimistic_mfu": PESSIMISTIC_MFU,
            "host_seconds_per_operator": HOST_SECONDS_PER_OP,
            "fixed_seconds_per_page": FIXED_SECONDS_PER_PAGE,
            "train_examples": TRAIN_EXAMPLES, "test_examples": TEST_EXAMPLES,
            "time": "fixed + other cells (CPU-measured, quick run) + max(FLOPs / achieved "
                    "FLOP/s, operators x host time); evaluation counted as 1/3 of a step",
        },
        "pages": rows,
        "benchmark": bench,
        "rest": rest,
        "total_s": round(pages_s + bench["seconds"], 1),
        "setup_s": SETUP_S,
        "call_s": round(SETUP_S + pages_s + bench["seconds"] + rest["seconds"], 1),
        "budget_s": TIME_BUDGET_S,
        "fits": pages_s + bench["seconds"] <= TIME_BUDGET_S,
    }


def _estimate_benchmark(achieved: float) -> dict[str, Any]:
    """One epoch of each side for AlexNet at 224 and ResNet-18 at 96."""
    from book.bench.models import BENCH_SETTINGS, build_model

    seconds = BENCH_PEAK_S
    models = {}
    for name in ("alexnet", "resnet18"):
        size = BENCH_SETTINGS[name].image_size
        torch.manual_seed(0)
        flops = count_training_flops(build_model(name), (2, 1, size, size))
        gpu = (TRAIN_EXAMPLES + TEST_EXAMPLES / 3) * flops / achieved
        per_image = _d2l_seconds_per_image(size)
        d2l_loader = (TRAIN_EXAMPLES + TEST_EXAMPLES) * per_image / D2L_LOADER_WORKERS
        d2l = BENCH_PROCESS_START_S + max(gpu, d2l_loader)
        ours = BENCH_PROCESS_START_S + gpu
        models[name] = {"d2l_s": round(d2l, 1), "d2lref_s": round(ours, 1),
                        "d2l_cpu_seconds_per_image": per_image}
        seconds += d2l + ours
    seconds += LAYOUT_S
    return {"seconds": round(seconds, 1), "models": models, "layout_s": LAYOUT_S,
            "d2l_loader_workers": D2L_LOADER_WORKERS}


def _estimate_rest(jobs: int = 4) -> dict[str, Any]:
    """The other snippets, ``jobs`` at a time: bounded by their recorded full runs on a CPU."""
    from book.cells import find_snippets
    from book.store.files import read_store, store_path

    seconds, count = 0.0, 0
    for path in find_snippets(SNIPPETS_DIR):
        relpath = path.relative_to(SNIPPETS_DIR).as_posix()
        if relpath in PAGE_MODELS:
            continue
        runs = read_store(store_path(SNIPPETS_DIR, relpath))["runs"]
        recorded = [run.get("duration_s", 0.0) for run in runs.values()]
        seconds += max(recorded, default=FIXED_SECONDS_PER_PAGE)
        count += 1
    return {"snippets": count, "jobs": jobs, "cpu_recorded_s": round(seconds, 1),
            "seconds": round(seconds / jobs, 1),
            "note": "upper bound: their longest recorded run (CPU), run 4 at a time"}


def load_estimate(path: Path = ESTIMATE_FILE) -> dict[str, Any]:
    """The stored estimate (``python -m book.bench estimate`` writes it)."""
    if not path.is_file():
        raise FileNotFoundError(f"no estimate at {path}; run 'python -m book.bench estimate'.")
    return json.loads(path.read_text(encoding="utf-8"))


def format_estimate(estimate: dict[str, Any]) -> str:
    """The per-page table, the benchmark line, the total and whether it fits the budget."""
    assumptions = estimate["assumptions"]
    rows = [[row["page"].split("/")[-1][:-3], row["num_epochs"], row["batch_size"],
             row["resize"] or 28, f"{row['train_flops_per_example'] / 1e9:.2f}",
             row["operators_per_step"], f"{row['compute_s']:.1f}", f"{row['host_s']:.1f}",
             f"{row['other_cells_s']:.1f}", f"{row['seconds']:.0f}",
             f"{row['seconds_at_pessimistic_mfu']:.0f}"]
            for row in estimate["pages"]]
    bench = estimate["benchmark"]
    rows.append(["benchmark+layout", 1, "", "", "", "", "", "", "", f"{bench['seconds']:.0f}",
                 ""])
    table = format_table(
        ["page", "epochs", "batch", "size", "GFLOP/ex", "ops/step", "compute s", "launch s",
         "other s", "est. s",
         f"at {assumptions['pessimistic_mfu']:.0%} MFU"], rows)
    verdict = "fits" if estimate["fits"] else "does NOT fit"
    rest = estimate["rest"]
    return (f"{table}\nassumed: {assumptions['tf32_dense_peak_flops'] / 1e12:.0f} TFLOP/s TF32 "
            f"dense peak x {assumptions['assumed_mfu']:.0%} MFU = "
            f"{assumptions['achieved_flops'] / 1e12:.0f} TFLOP/s; "
            f"{assumptions['host_seconds_per_operator'] * 1e6:.0f} us per operator; "
            f"{assumptions['fixed_seconds_per_page']:.0f} s start-up per page\n"
            f"total {estimate['total_s'] / 60:.1f} min for the six pages, the benchmark and "
            f"the layout timing: "
            f"{verdict} in {estimate['budget_s'] / 60:.0f} min\n"
            f"then {rest['snippets']} other snippets, {rest['jobs']} at a time: at most "
            f"{rest['seconds'] / 60:.1f} min ({rest['note']})\n"
            f"whole call with {estimate['setup_s']:.0f} s of set-up: at most "
            f"{estimate['call_s'] / 60:.1f} min")
