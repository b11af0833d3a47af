"""One prepared call on a bare GPU machine: full-mode runs of the modern-CNN pages and the
GPU benchmark, with everything the machine lacks carried along.

The GPU machine has Python, PyTorch, torchvision, NumPy, pandas, matplotlib and SciPy, but no
Jupyter packages, no data and no network. Two steps:

* ``python -m book.bench device-prepare`` (here, with package-registry access; ``make
  device-carry``) fills the git-ignored folder ``.carry/``: wheels of everything the snippet
  runner needs (``requirements/device.txt``) for the machine's Python, the ``d2l==0.17.6``
  wheel (the version the book pins) for the benchmark, and the data (Fashion-MNIST's ``.gz``
  files, the Kaggle CSVs).
* ``python -m book.bench device-run --out DIR`` (there, from the repository root) installs
  the wheels into a temporary folder and unpacks the data into a temporary data root: that
  is all it adds. The snippets run through the book's one full-run command (``python -m
  book full-run``, as on the GPU workflow's runner): the chosen pages one by one, then the
  benchmark and a timing of both memory layouts (``layout``), then every other snippet whose
  full run is stale or missing, in shards at once. It writes under ``DIR``: the stores
  (``stores.tar.gz``), the benchmark results, ``summary.json`` and the whole log. A part that
  fails or runs out of time is reported and the next part still runs; the exit status is
  non-zero when any part failed.

The test suite rehearses the same two steps on a CPU, for the running Python, in quick mode.
"""
