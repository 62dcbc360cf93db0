"""Run pieces of Python in fresh processes and report wall time and peak memory (max RSS).

Candidates are run interleaved (A, B, A, B ...) and each keeps its best time, so a slow moment of
a shared machine does not land on one side of a comparison only.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_WRAPPER = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
{setup}
start = time.perf_counter()
{body}
elapsed = time.perf_counter() - start
print("@@RESULT@@" + json.dumps({{"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run_once(body: str, setup: str = "") -> dict:
    code = _WRAPPER.format(root=str(ROOT), setup=textwrap.dedent(setup), body=textwrap.dedent(body))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    line = next(l for l in done.stdout.splitlines() if l.startswith("@@RESULT@@"))
    return json.loads(line[len("@@RESULT@@"):])


def compare(candidates: dict[str, tuple[str, str]], repeat: int = 5) -> dict[str, dict]:
    """{name: (setup, body)} -> {name: {"seconds": best, "peak_mb": highest}}, runs interleaved."""
    results = {name: {"seconds": None, "peak_mb": 0.0} for name in candidates}
    for _ in range(repeat):
        for name, (setup, body) in candidates.items():
            got = run_once(body, setup)
            best = results[name]
            best["seconds"] = got["seconds"] if best["seconds"] is None else min(best["seconds"], got["seconds"])
            best["peak_mb"] = max(best["peak_mb"], got["peak_mb"])
    return results


def measure(body: str, setup: str = "", repeat: int = 3) -> dict:
    return compare({"only": (setup, body)}, repeat)["only"]
