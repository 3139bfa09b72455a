#!/usr/bin/env python3
"""Builds the benchmark models with Keras 3 (random weights), times Keras and kerasinspect on
the same .h5 files and inputs, checks they agree, and prints a Markdown report.

Called by bench/run.sh: models.py KERASINSPECT WORKDIR SGEMM_TXT
"""
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["CUDA_VISIBLE_DEVICES"] = ""
started = time.perf_counter()
import numpy as np  # noqa: E402
import keras  # noqa: E402
import_seconds = time.perf_counter() - started

BINARY, WORK, SGEMM = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
REPEATS = 15


def lstm_model():
    inputs = keras.Input((100,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(20000, 128)(inputs)
    x = keras.layers.LSTM(256, return_sequences=True)(x)
    x = keras.layers.LSTM(256)(x)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x), name="lstm_text")


MODELS = {
    "MobileNetV2 (224×224)": lambda: keras.applications.MobileNetV2(weights=None),
    "ResNet50 (224×224)": lambda: keras.applications.ResNet50(weights=None),
    "LSTM text (100 steps, 2×256)": lstm_model,
}


def median_seconds(function, repeats=REPEATS):
    function()  # warm-up (graph tracing)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def kerasinspect(path, input_path, expected_path, repeats):
    command = [BINARY, "run", str(path), "--input", str(input_path), "--expected", str(expected_path),
               "--atol", "1e-3", "--rtol", "1e-3", "--repeat", str(repeats)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    text = result.stdout + result.stderr
    timing = re.search(r"median ([0-9.]+) ms", text)
    error = re.search(r"\)\s+([0-9.e+-]+)\s+[0-9.e+-]+\s+\d+ / \d+", text)
    if timing is None:
        return None, None, None, text.strip().splitlines()[-1] if text.strip() else "no output"
    return float(timing.group(1)), wall, error.group(1) if error else "?", None


def main():
    rows = []
    for name, build in MODELS.items():
        keras.utils.set_random_seed(1)
        model = build()
        path = WORK / (re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") + ".h5")
        model.save(path)
        load_start = time.perf_counter()
        keras.saving.load_model(path, compile=False)
        load_seconds = time.perf_counter() - load_start
        for batch in (1, 8):
            rng = np.random.default_rng(batch)
            shape = (batch,) + tuple(model.inputs[0].shape[1:])
            if "int" in str(model.inputs[0].dtype):
                x = rng.integers(0, 20000, size=shape).astype("int32")
            else:
                x = rng.normal(size=shape).astype("float32")
            predict = median_seconds(lambda: model.predict(x, verbose=0, batch_size=batch))
            call = median_seconds(lambda: model(x, training=False))
            keras_ms = min(predict, call) * 1000
            which = "predict" if predict <= call else "call"
            input_path = WORK / f"{path.stem}.b{batch}.x.npy"
            expected_path = WORK / f"{path.stem}.b{batch}.y.npy"
            np.save(input_path, x.astype("float32"))
            np.save(expected_path, np.asarray(model(x, training=False)))
            ours, _, error, failure = kerasinspect(path, input_path, expected_path, REPEATS)
            _, wall, _, _ = kerasinspect(path, input_path, expected_path, 1)
            rows.append((name, batch, keras_ms, which, ours, wall, load_seconds, error, failure))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    blas = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libopenblas0-pthread"], capture_output=True, text=True).stdout
    print(f"# Benchmark results\n\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores ({cpu}), {platform.system()}, "
          f"keras {keras.__version__} (TensorFlow backend), OpenBLAS {blas or '?'}.\n")
    print("Median of %d forward passes after a warm-up, random weights, float32. Keras: the faster of "
          "`predict` and a direct call. Whole command: `kerasinspect run` from start to exit (load, one pass, "
          "compare) against Python's import + `load_model` + one call.\n" % REPEATS)
    print("| Model | Batch | Keras (ms) | kerasinspect (ms) | ratio | whole command: kerasinspect / Python (s) | max abs err |")
    print("|---|---|---|---|---|---|---|")
    for name, batch, keras_ms, which, ours, wall, load_seconds, error, failure in rows:
        if failure:
            print(f"| {name} | {batch} | {keras_ms:.1f} ({which}) | cannot run: {failure} | | | |")
            continue
        python_total = import_seconds + load_seconds + keras_ms / 1000
        print(f"| {name} | {batch} | {keras_ms:.1f} ({which}) | {ours:.1f} | {ours / keras_ms:.2f} | "
              f"{wall:.2f} / {python_total:.2f} | {error} |")
    print("\n" + SGEMM.read_text().strip().replace("\n", "  \n"))


main()
