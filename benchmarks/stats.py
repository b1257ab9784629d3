"""Timing helpers shared by the benchmarks: a clock, percentiles, the machine."""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time
from collections.abc import Callable

import numpy as np

clock = time.perf_counter


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile of the samples (linear interpolation, as numpy's default)."""
    return float(np.percentile(np.asarray(samples, dtype=float), q))


def timed(f: Callable[[], object]) -> float:
    """Seconds one call of f takes."""
    start = clock()
    f()
    return clock() - start


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    """Where and when the benchmark ran: enough to judge whether two runs compare."""
    import matplotlib

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
        "load_average_at_start": [round(x, 2) for x in load],
        "argv": sys.argv[1:],
    }
