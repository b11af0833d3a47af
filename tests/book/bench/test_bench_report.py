"""The benchmark's pure parts: ratios, run summaries, tables, FLOP counts and stored results."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from book import bench
from book.bench.runner import TimedEpochs


def test_speed_ratio_is_throughput_over_baseline():
    assert bench.speed_ratio(3000.0, 1200.0) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="positive"):
        bench.speed_ratio(10.0, 0.0)


def _run(speed, epochs, acc):
    return {"examples_per_sec": speed, "epoch_seconds": epochs, "book_examples_per_sec": speed,
            "train_loss": 0.5, "train_acc": acc, "test_acc": acc - 0.01}


def test_summary_takes_medians_and_the_last_runs_accuracies():
    summary = bench.summarize_runs([_run(100.0, [6.0, 4.0], 0.80), _run(300.0, [5.0, 9.0], 0.82),
                                    _run(200.0, [7.0, 8.0], 0.81)])
    assert summary["examples_per_sec"] == 200.0
    assert summary["epoch_seconds"] == 6.5  # median of 4, 5, 6, 7, 8, 9
    assert summary["test_acc"] == pytest.approx(0.80)
    assert summary["repeats"] == 3
    with pytest.raises(ValueError, match="no runs"):
        bench.summarize_runs([])


def test_table_pads_columns_and_right_aligns_numbers():
    table = bench.format_table(["model", "examples/sec"], [["lenet", 1234.5], ["mlp", 0.5]])
    assert table.splitlines() == [
        "model  examples/sec",
        "-----  ------------",
        "lenet       1,234.5",
        "mlp           0.500",
    ]
    with pytest.raises(ValueError, match="2 columns"):
        bench.format_table(["a", "b"], [[1]])


def test_si_prefixes():
    assert bench.format_si(2.5e9, "FLOP/s") == "2.50 GFLOP/s"
    assert bench.format_si(818_176.0, "FLOP") == "818.18 kFLOP"
    assert bench.format_si(12.0) == "12.00"


def test_flops_of_a_small_mlp_match_the_hand_count():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    # Batch 5. Forward: 2*5*4*3 = 120 and 2*5*3*2 = 60. Backward: the second layer needs the
    # weight gradient (60) and the input gradient (60); the first only the weight gradient
    # (120), as the input needs none. Total 420 for 5 examples.
    assert bench.count_training_flops(net, (5, 4), num_classes=2) == pytest.approx(84.0)
    assert all(p.grad is None for p in net.parameters())  # the count leaves no gradients


def test_flops_of_a_convolution_match_the_hand_count():
    net = nn.Sequential(nn.Conv2d(1, 2, kernel_size=3, bias=False), nn.Flatten())
    # A 5x5 image gives 2 x 3 x 3 outputs of 9 multiply-adds each: 2 * 18 * 9 = 324 forward,
    # the same for the weight gradient, none for the input.
    assert bench.count_training_flops(net, (1, 1, 5, 5), num_classes=18) == pytest.approx(648.0)


def test_the_books_mlp_counts_its_two_matmuls():
    net = bench.build_model("mlp")
    per_example = 2 * (784 * 256 + 256 * 10)
    # forward + weight gradients of both layers + the input gradient of the second
    expected = per_example + per_example + 2 * 256 * 10
    assert bench.count_training_flops(net, (8, 1, 28, 28)) == pytest.approx(expected)


def test_unknown_model_names_the_choices():
    with pytest.raises(ValueError, match="lenet, mlp, alexnet, resnet18"):
        bench.build_model("vgg")


def test_timed_epochs_counts_examples_and_keeps_the_length():
    batches = [(torch.zeros(4, 2), torch.zeros(4)), (torch.zeros(3, 2), torch.zeros(3))]
    timed = TimedEpochs(batches, torch.device("cpu"))
    assert len(timed) == 2
    assert sum(len(y) for _, y in timed) == 7
    list(timed)
    assert timed.examples == [7, 7]
    assert len(timed.seconds) == 2 and all(s >= 0 for s in timed.seconds)


def _results():
    summary = {"examples_per_sec": 1000.0, "epoch_seconds": 60.0, "book_examples_per_sec": 1100.0,
               "train_loss": 0.4, "train_acc": 0.85, "test_acc": 0.84, "repeats": 2}
    fast = dict(summary, examples_per_sec=2500.0, epoch_seconds=24.0)
    return {"device": "test cpu", "matmul_peak_flops": {"float32": 1e10},
            "models": {"lenet": {"summary": {"d2l": summary, "d2lref": fast}, "ratio": 2.5,
                                 "train_flops_per_example": 1e6,
                                 "achieved_flops": {"d2l": 1e9, "d2lref": 2.5e9}}}}


def test_tables_from_results():
    lines = bench.comparison_table(_results()).splitlines()
    assert lines[2].split()[:4] == ["lenet", "d2l", "1,000.0", "1.00x"]
    assert lines[3].split()[:4] == ["lenet", "d2lref", "2,500.0", "2.50x"]
    flops = bench.flops_table(_results()).splitlines()
    assert flops[3].split()[-3:] == ["2.50", "GFLOP/s", "25.0%"]


def test_stored_results_are_found_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = bench.latest_results("cpu")
    assert results["device_type"] == "cpu"
    assert set(results["models"]) >= {"lenet", "mlp"}
    long_run = bench.latest_results("cpu", prefix="accuracy-")
    assert long_run["method"]["epochs"] == 10 and long_run is not results
    with pytest.raises(FileNotFoundError, match="no stored never-cuda results"):
        bench.latest_results("cuda", prefix="never-")
    with pytest.raises(FileNotFoundError, match="no benchmark results"):
        bench.load_results(tmp_path / "missing.json")
    (tmp_path / "r.json").write_text(json.dumps({"models": {}}))
    assert bench.load_results(tmp_path / "r.json") == {"models": {}}


class _MovableBatches(list):
    def to_device(self, device):
        moved = _MovableBatches(self)
        moved.device = device
        return moved


def test_timed_epochs_keeps_timing_after_the_batches_move():
    timed = TimedEpochs(_MovableBatches([(torch.zeros(2), torch.zeros(2))]), torch.device("cpu"))
    assert timed.to_device("cuda:0") is timed
    assert timed.iterable.device == "cuda:0"
    list(timed)
    assert timed.examples == [2]
    plain = TimedEpochs([(torch.zeros(3), torch.zeros(3))], torch.device("cpu"))
    assert plain.to_device("cuda:0") is plain and list(plain)[0][1].shape == (3,)


def test_moved_fashion_mnist_batches_continue_the_same_shuffles():
    from d2lref.data.fashion_mnist import FashionMNISTBatches

    images = torch.arange(10 * 4, dtype=torch.uint8).reshape(10, 2, 2)
    labels = torch.arange(10)
    reference = FashionMNISTBatches(images, labels, 4, shuffle=True, seed=3)
    batches = FashionMNISTBatches(images, labels, 4, shuffle=True, seed=3)
    first = [y.tolist() for _, y in batches]
    moved = batches.to_device("cpu")
    assert moved is not batches and moved.device == torch.device("cpu")
    second = [y.tolist() for _, y in moved]
    expected = [[y.tolist() for _, y in reference] for _ in range(2)]
    assert [first, second] == expected
    assert first != second  # a new order every epoch


def test_flops_table_adds_the_bf16_share_when_measured():
    results = _results()
    results["matmul_peak_flops"]["bfloat16"] = 4e10
    header, _, _, d2lref_row = bench.flops_table(results).splitlines()
    assert header.endswith("of fp32 matmul peak  of bf16 matmul peak")
    assert d2lref_row.split()[-2:] == ["25.0%", "6.2%"]  # 2.5e9 / 1e10 and / 4e10


def test_the_books_lenet_matches_a_hand_count():
    # Multiply-adds per example: conv1 6*28*28*25, conv2 16*10*10*6*25, the three dense layers.
    conv1, conv2 = 6 * 28 * 28 * 25, 16 * 10 * 10 * 6 * 25
    dense = 400 * 120 + 120 * 84 + 84 * 10
    forward = 2 * (conv1 + conv2 + dense)
    # Backward: every weight gradient again, input gradients for all layers but the first.
    expected = forward + forward + 2 * (conv2 + dense)
    assert expected == 2_263_920
    assert bench.count_training_flops(bench.build_model("lenet"), (4, 1, 28, 28)) == expected
