# %% imports
# Committed files this page reads (their content is part of the outputs' key):
# reads: book/bench/*.py book/bench/results/*.json
import torch
from matplotlib import pyplot as plt

from book import bench
from d2lref import torch as d2l

# %% load-results
# The newest stored CPU measurement (a JSON file inside book/bench/results/).
results = bench.latest_results("cpu")
method = results["method"]
print("device: ", results["device"])
print("date:   ", results["date"])
print("versions:", ", ".join(f"{name} {v}" for name, v in results["versions"].items()))
print(f"settings: {method['epochs']} epochs x {method['repeats']} repeats per side, "
      f"torch threads: {method['torch_threads']}, mode {method['mode']}")
for model, entry in results["models"].items():
    s = entry["settings"]
    print(f"  {model}: batch {s['batch_size']}, lr {s['lr']}, resize {s['resize']}")

# %% throughput-table
# examples/sec: examples trained / wall-clock of the passes over train_iter (loading
# included).
# "book's examples/sec" is the line train_ch6 prints (its timer skips data loading).
print(bench.comparison_table(results))
ratios = {model: entry["ratio"] for model, entry in results["models"].items()}
for model, ratio in ratios.items():
    # The ratio is recomputed from the medians: the stored
    # number is what the table shows.
    summary = results["models"][model]["summary"]
    assert abs(ratio - summary["d2lref"]["examples_per_sec"]
               / summary["d2l"]["examples_per_sec"]) < 1e-9
print("d2lref / d2l:", ", ".join(f"{m} {r:.2f}x" for m, r in ratios.items()))
for model, entry in results["models"].items():
    book, fast = entry["summary"]["d2l"], entry["summary"]["d2lref"]
    print(
        f"{model}: after {method['epochs']} epochs, test accuracy "
        f"{book['test_acc']:.3f} "
        f"(d2l) and {fast['test_acc']:.3f} (d2lref); the book's timer prints "
        f"{book['book_examples_per_sec'] / book['examples_per_sec']:.2f}x the "
        "wall-clock examples/sec on the d2l side"
    )

# %% flops-table
# Training FLOPs per example (forward + backward, counted by torch's FlopCounterMode)
# times examples/sec, against a float32 matmul loop measured on the same machine.
for dtype, peak in results["matmul_peak_flops"].items():
    print(f"{dtype} matmul peak measured:", bench.format_si(peak, "FLOP/s"))
print(bench.flops_table(results))
fp32_peak = results["matmul_peak_flops"]["float32"]
for model, entry in results["models"].items():
    achieved = entry["achieved_flops"]
    shares = {impl: flops / fp32_peak for impl, flops in achieved.items()}
    print(
        f"{model}: {shares['d2l']:.1%} (d2l) and {shares['d2lref']:.1%} (d2lref) "
        "of the fp32 matmul peak"
    )

# %% throughput-chart
models = list(results["models"])
speeds = {
    impl: [results["models"][m]["summary"][impl]["examples_per_sec"] for m in models]
    for impl in ("d2l", "d2lref")
}
fig, ax = plt.subplots(figsize=(5, 2.8))
width = 0.38
for offset, (impl, values) in zip((-width / 2, width / 2), speeds.items(), strict=True):
    bars = ax.bar([i + offset for i in range(len(models))], values, width, label=impl)
    ax.bar_label(bars, fmt="%.0f", fontsize=8)
ax.set_xticks(range(len(models)), [f"{m} ({ratios[m]:.2f}x)" for m in models])
ax.set_ylabel("examples/sec")
versions = results["versions"]
ax.set_title(
    f"{results['device'].split(' (')[0]}, {results['date'][:10]}\n"
    f"torch {versions['torch']}, d2l {versions['d2l']}",
    fontsize=8,
)
ax.legend()
fig.tight_layout()
plt.show()

# %% one-thread
# The same comparison with one torch thread per training process on both sides: d2l's
# four loader processes then have the second core to themselves.
one_thread = bench.latest_results("cpu", prefix="threads1-")
print(
    f"torch threads: {one_thread['method']['torch_threads']}, {one_thread['date'][:10]}"
)
print(bench.comparison_table(one_thread))
print(
    "d2lref / d2l:",
    ", ".join(f"{m} {e['ratio']:.2f}x" for m, e in one_thread["models"].items()),
)

# %% numerics-options
# Opt-in options of the d2lref side that change numerics (never on by default), one
# epoch each, one thread: compare d2lref's rows with the one-thread table above.
for option in ("bf16", "compile"):
    run = bench.latest_results("cpu", prefix=f"{option}-")
    assert run["method"]["d2lref_options"] == [option]
    print(
        f"--option {option} ({run['method']['epochs']} epoch, "
        f"torch threads {run['method']['torch_threads']}):"
    )
    print(bench.comparison_table(run))

# %% ten-epochs
# One run per side with the book's 10 epochs, kept for the final accuracies.
long_run = bench.latest_results("cpu", prefix="accuracy-")
print(
    f"{long_run['method']['epochs']} epochs, {long_run['date'][:10]}, "
    f"{long_run['device']}"
)
print(bench.comparison_table(long_run))
for model, entry in long_run["models"].items():
    summary = entry["summary"]
    gap = summary["d2lref"]["test_acc"] - summary["d2l"]["test_acc"]
    print(f"{model}: test accuracy d2lref - d2l = {gap:+.3f}")

# %% resize-difference
# The one numerical change of the fast path: batched resize instead of PIL's per image.
# The test iterators are not shuffled, so the first batches hold the same images.
for size in (96, 224):
    _, book_test = d2l.load_data_fashion_mnist(64, resize=size, fast=False)
    _, fast_test = d2l.load_data_fashion_mnist(64, resize=size)
    X_book, y_book = next(iter(book_test))
    X_fast, y_fast = next(iter(fast_test))
    assert torch.equal(y_book, y_fast)
    assert X_book.shape == X_fast.shape == (64, 1, size, size)
    gap = (X_book - X_fast).abs()
    print(
        f"resize {size}: max |PIL - interpolate| = {gap.max():.5f} "
        f"({gap.max() * 255:.2f}/255), mean {gap.mean():.5f}"
    )
    # PIL rounds to 8-bit values; the fast path keeps floats
    assert gap.max() <= 1 / 255 + 1e-6

# %% stored-measurements
# Which measurements exist: a GPU file appears only after a run on a CUDA machine.
for device_type in ("cpu", "cuda"):
    files = sorted(
        path.name for path in bench.results_dir().glob(f"{device_type}-*.json")
    )
    print(f"{device_type}: {', '.join(files) if files else 'no stored measurement'}")
