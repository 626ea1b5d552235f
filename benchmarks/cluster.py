"""Builds on a Dask cluster: how a cold eSpeak NG build scales from one worker process
to two, and what the cluster costs against this machine's own process pool.

    python benchmarks/cluster.py          # on a generated corpus of its own
    (and as figure 9 of benchmarks/run.py, on its corpus)

The scheduler and workers are started with the ``dask scheduler`` and ``dask worker``
commands, as an operator starts them; each build is the ``bulletins build`` command run
cold (an empty cache and output folder), timed from start to exit, best of 3. On a
machine already busy (load average over 1) the figures would measure the other work,
so it says so instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mutagen.mp3 import MP3

from bulletins.testing import DaskCluster

BIN = Path(sys.executable).parent
RUNS = 3


def cold_build(content: Path, work: Path, *options: str) -> tuple[float, float]:
    """Seconds for one cold ``bulletins build`` with these options, and minutes of audio made."""
    shutil.rmtree(work, ignore_errors=True)
    command = [BIN / "bulletins", "build", content, "-o", work / "audio"]
    command += ["--cache-dir", work / "cache", "-e", "espeak", "--no-talking-books", "--json"]
    started = time.perf_counter()
    done = subprocess.run([*map(str, command), *options], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the build failed: {done.stderr}")
    summary = json.loads(done.stdout)
    minutes = sum(MP3(e["path"]).info.length for e in summary["bulletins"]) / 60
    return seconds, minutes


def best(content: Path, work: Path, *options: str) -> tuple[float, float]:
    runs = [cold_build(content, work, *options) for _ in range(RUNS)]
    return min(s for s, _ in runs), runs[0][1]


def scaling(number: str, content: Path, work: Path, load: float) -> None:
    """Print the 2-against-1 worker scaling and the cluster-against-local-pool figures;
    ``load`` is the load average before the benchmark started (its own earlier figures
    load the machine too)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        print(f"{number}. cluster scaling: needs the dask extra (pip install '.[dask]'), no figure")
        return
    if load > 1:
        print(f"{number}. cluster scaling: machine busy (load average {load:.2f}), no figure")
        return
    with DaskCluster(work / "one", 1) as cluster:
        one_s, minutes = best(content, work / "build", "--cluster", cluster.address)
    with DaskCluster(work / "two", 2) as cluster:
        two_s, _ = best(content, work / "build", "--cluster", cluster.address)
    local_s, _ = best(content, work / "build", "--workers", "2")
    shutil.rmtree(work / "build", ignore_errors=True)
    scale, cost = one_s / two_s, two_s / local_s
    print(
        f"{number}. cluster, 2 workers vs 1       {one_s:.1f} s / {two_s:.1f} s = {scale:.2f}x"
        f"{'':<19} target >= 1.6x     {'met' if scale >= 1.6 else 'NOT MET'}"
    )
    print(
        f"{number}b. cluster vs local pool (2)   {two_s:.1f} s / {local_s:.1f} s = {cost:.2f}"
        f"{'':<20} target <= 1.15     {'met' if cost <= 1.15 else 'NOT MET'}"
    )
    print(
        f"   cold eSpeak NG builds of {minutes:.1f} minutes of audio, best of {RUNS}, each the "
        f"command from start to exit; load average {load:.2f} before"
    )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from corpus import make_corpus

    load = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="bulletins-cluster-"))
    try:
        words = make_corpus(work / "content", articles=10)
        print(f"corpus: 10 generated articles, {words} words (it/ar/en/fr/es)", flush=True)
        scaling("9", work / "content", work, load)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
