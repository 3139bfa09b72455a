#!/usr/bin/env python3
"""The CI commands on realistic inputs: `diff` of two ResNet50 files (the same architecture,
weights perturbed as a retrain would), and `scan` of a folder of 100 models, against
modelscan (pip install modelscan) on the same folder in the same run. Wall time and peak
memory (max RSS from /usr/bin/time -v) per command. Files go to bench/out/regression/
(git-ignored); the table to bench/out/regression/results.md, quoted by bench/regression.md.

    swift build -c release --scratch-path .build-release --product kerasinspect
    .venv-fixtures/bin/pip install modelscan
    .venv-fixtures/bin/python bench/regression.py
"""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import keras  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / ".build-release" / "release" / "kerasinspect"
OUT = ROOT / "bench" / "out" / "regression"


def measured(command):
    """(exit code, seconds, peak RSS in MB, stdout) of one command."""
    started = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-v", *map(str, command)], capture_output=True, text=True)
    seconds = time.monotonic() - started
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return done.returncode, seconds, int(match.group(1)) / 1024 if match else float("nan"), done.stdout


def folder_of_models(folder, count):
    """`count` small models in every format: every tenth holds a Lambda layer."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        keras.utils.set_random_seed(index)
        x_in = keras.Input(shape=(16,), name="values")
        x = keras.layers.Dense(32, activation="relu", name="hidden")(x_in)
        if index % 10 == 0:
            x = keras.layers.Lambda(lambda t: t * 2.0, name="scale")(x)
        model = keras.Model(x_in, keras.layers.Dense(4, name="out")(x), name=f"model_{index}")
        suffix = (".keras", ".h5")[index % 2]
        model.save(folder / f"model_{index:03d}{suffix}")


def main():
    if not BINARY.exists():
        sys.exit(f"no release build at {BINARY}")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    rows = []

    keras.utils.set_random_seed(1)
    base = keras.applications.ResNet50(weights=None)
    base.save(OUT / "resnet50_a.h5")
    rng = np.random.default_rng(2)
    base.set_weights([w + rng.normal(scale=1e-3, size=w.shape).astype(w.dtype) for w in base.get_weights()])
    base.save(OUT / "resnet50_b.keras")
    size = sum(f.stat().st_size for f in OUT.glob("resnet50_*")) / 2 / 1e6
    code, seconds, rss, out = measured([BINARY, "diff", OUT / "resnet50_a.h5", OUT / "resnet50_b.keras"])
    changed = sum(1 for line in out.splitlines() if "values differ" in line)
    rows.append(("kerasinspect diff ResNet50 .h5 vs .keras (perturbed weights)", f"{size:.0f} MB each", code, seconds, rss,
                 f"{changed} arrays differ"))
    code, seconds, rss, out = measured([BINARY, "diff", OUT / "resnet50_a.h5", OUT / "resnet50_a.h5"])
    rows.append(("kerasinspect diff ResNet50 with itself", f"{size:.0f} MB", code, seconds, rss, out.strip().splitlines()[-1]))

    models = OUT / "models"
    folder_of_models(models, 100)
    code, seconds, rss, out = measured([BINARY, "scan", models])
    rows.append(("kerasinspect scan (100 models)", "folder", code, seconds, rss, out.strip().splitlines()[-1]))
    modelscan = Path(sys.executable).parent / "modelscan"
    if modelscan.exists():
        code, seconds, rss, out = measured([modelscan, "-p", models])
        summary = next((line.strip() for line in out.splitlines() if "issue" in line.lower()), out.strip()[-120:])
        rows.append(("modelscan -p (100 models)", "folder", code, seconds, rss, summary))
    else:
        rows.append(("modelscan", "not installed", "", 0, 0, "pip install modelscan"))

    lines = ["| Command | Input | Exit | Seconds | Peak RSS MB | Result |", "|---|---|---|---|---|---|"]
    for name, what, code, seconds, rss, note in rows:
        lines.append(f"| {name} | {what} | {code} | {seconds:.2f} | {rss:.0f} | {note.replace('|', '/')} |")
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
