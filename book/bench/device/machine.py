"""What the GPU machine is: the card (nvidia-smi), and torch's and Jupyter's view of it."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

ENVIRONMENT_SCRIPT = """\
import importlib, json, platform, torch
cuda = torch.cuda.is_available()
facts = {
    "python": platform.python_version(),
    "torch": torch.__version__,
    "torch_cuda": torch.version.cuda,
    "cudnn": torch.backends.cudnn.version() if cuda else None,
    "cuda_available": cuda,
    "device_name": torch.cuda.get_device_name(0) if cuda else platform.processor() or "CPU",
    "capability": list(torch.cuda.get_device_capability(0)) if cuda else None,
    "device_count": torch.cuda.device_count() if cuda else 0,
}
try:
    from jupyter_client.kernelspec import KernelSpecManager
    facts["runner_packages"] = {
        name: importlib.import_module(name).__file__
        for name in ("nbclient", "ipykernel", "jupytext", "zmq")}
    facts["kernel_spec"] = KernelSpecManager().get_kernel_spec("python3").resource_dir
except Exception as error:
    facts["runner_packages_error"] = repr(error)
print(json.dumps(facts))
"""


def machine_facts(env: dict[str, str]) -> dict[str, Any]:
    """The card's name, driver and memory (nvidia-smi) and torch's own view of it."""
    facts: dict[str, Any] = {}
    completed = None
    try:
        smi = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,memory.total,clocks.max.sm",
             "--format=csv,noheader"], capture_output=True, text=True, timeout=30)
        facts["nvidia_smi"] = smi.stdout.strip() or smi.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as err:
        facts["nvidia_smi"] = f"not available ({err})"
    try:
        completed = subprocess.run([sys.executable, "-c", ENVIRONMENT_SCRIPT],
                                   capture_output=True, text=True, env=env, timeout=120)
        facts.update(json.loads(completed.stdout.strip().splitlines()[-1]))
    except (subprocess.TimeoutExpired, IndexError, json.JSONDecodeError) as err:
        facts["torch_error"] = f"{err!r}: {completed.stderr[-1000:] if completed else ''}"
    return facts

