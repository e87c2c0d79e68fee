"""Start-up to first paint: Orq Desktop against a bare QMainWindow, measured in the same run.

    python benchmarks/startup.py [--runs 7] [--platform offscreen|xcb]

Each run spawns a fresh process; the time is from just before the spawn to the first paint event
of the main window, and the memory is the process's peak RSS at that moment. Medians are printed
with the ratios app / bare (goals: time <= 1.5, peak memory <= 1.5).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit
from orq_desktop.ui import first_paint as _first_paint
app = QApplication(sys.argv)
w = QMainWindow()
w.setCentralWidget(QPlainTextEdit())
w.resize(1200, 800)
_first_paint.install(w)
w.show()
app.exec()
"""


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "paint.json")
        env = {**env, "ORQ_BENCH_FIRST_PAINT": out, "ORQ_DESKTOP_DATA_DIR": tmp}
        start = time.time()
        proc = subprocess.run(cmd, env=env, capture_output=True, timeout=60)
        if not os.path.exists(out):
            raise RuntimeError(f"{cmd} did not paint: {proc.stderr.decode()[-2000:]}")
        record = json.loads(Path(out).read_text())
        return record["t"] - start, record["rss_peak_kib"] / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": args.platform, "ORQ_API_KEY": "bench-key"}
    bare_cmd = [sys.executable, "-c", BARE]
    app_cmd = [sys.executable, "-m", "orq_desktop"]
    results: dict[str, list[tuple[float, float]]] = {"bare": [], "app": []}
    run_once(bare_cmd, env)  # warm the disk cache for both
    run_once(app_cmd, env)
    for _ in range(args.runs):  # interleaved, so machine noise hits both alike
        results["bare"].append(run_once(bare_cmd, env))
        results["app"].append(run_once(app_cmd, env))
    med = {
        k: (statistics.median(t for t, _ in v), statistics.median(m for _, m in v))
        for k, v in results.items()
    }
    print(f"platform={args.platform} runs={args.runs} (medians)")
    print(f"{'':6} {'first paint ms':>15} {'peak RSS MiB':>13}")
    for k in ("bare", "app"):
        print(f"{k:6} {med[k][0] * 1000:15.0f} {med[k][1]:13.1f}")
    print(f"ratio time   app/bare = {med['app'][0] / med['bare'][0]:.2f}  (goal <= 1.5)")
    print(f"ratio memory app/bare = {med['app'][1] / med['bare'][1]:.2f}  (goal <= 1.5)")


if __name__ == "__main__":
    main()
