#!/usr/bin/env python3
"""Builds the benchmark models with Keras 3 (seeded random weights, saved as .h5), times Keras
and kerasinspect on the same files and inputs, checks that their outputs agree, and writes a
Markdown report.

Called by bench/run.sh:  models.py KERASINSPECT WORKDIR SGEMM_TABLE REPORT
Progress goes to stderr; the report goes to REPORT and stdout.
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
import numpy as np  # noqa: E402
import keras  # noqa: E402

BINARY, WORK, SGEMM, REPORT = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
ROUNDS = 3  # Keras and kerasinspect take turns, so a busy spell on the shared host hits both
REPEATS = 5  # timed forward passes per round, after warm-up; the table gives the median round
WHOLE_RUNS = 3  # whole `kerasinspect run` commands per row (median)
BATCHES = (1, 8)


def log(message):
    print(message, file=sys.stderr, flush=True)


def lstm_text():
    inputs = keras.Input((100,), dtype="int32", name="tokens")
    # Embeddings of ±1 rather than Keras' default ±0.05, so the gates see inputs of some size.
    x = keras.layers.Embedding(20000, 128, embeddings_initializer=keras.initializers.RandomUniform(-1, 1))(inputs)
    x = keras.layers.LSTM(256, return_sequences=True)(x)
    x = keras.layers.LSTM(256)(x)
    return keras.Model(inputs, keras.layers.Dense(10)(x), name="lstm_text")


# Classifiers end in logits (no softmax): a softmax over 1000 classes of a random network is
# nearly flat, so agreement on it would prove little.
MODELS = [
    ("MobileNetV2 1.0 224", "mobilenetv2",
     lambda: keras.applications.MobileNetV2(weights=None, classifier_activation=None)),
    ("ResNet50 224", "resnet50",
     lambda: keras.applications.ResNet50(weights=None, classifier_activation=None)),
    ("EfficientNetB0 224", "efficientnetb0",
     lambda: keras.applications.EfficientNetB0(weights=None, classifier_activation=None)),
    ("LSTM text (Embedding 20000×128, 2×LSTM 256, 100 steps)", "lstm_text", lstm_text),
]


def calibrate_batch_norm(model, x):
    """Sets every BatchNormalization's moving statistics to those of one batch.

    With Keras' initial statistics (mean 0, variance 1) a random deep network's activations
    vanish or saturate (MobileNetV2's logits come out identical for every input), which would
    make the output comparison meaningless. One training call with momentum 0 stores each
    layer's batch statistics, as a trained network's would roughly be.
    """
    layers = [layer for layer in model._flatten_layers() if isinstance(layer, keras.layers.BatchNormalization)]
    if not layers:
        return
    momenta = [layer.momentum for layer in layers]
    for layer in layers:
        layer.momentum = 0.0
    model(x, training=True)
    for layer, momentum in zip(layers, momenta):
        layer.momentum = momentum


def random_input(model, batch, seed):
    rng = np.random.default_rng(seed)
    shape = (batch,) + tuple(model.inputs[0].shape[1:])
    if "int" in str(model.inputs[0].dtype):
        return rng.integers(0, 20000, size=shape).astype("int32")
    return rng.normal(size=shape).astype("float32")


def median_ms(function, warmups=2):
    for _ in range(warmups):  # graph tracing, oneDNN primitive creation
        function()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


PYTHON_WHOLE = """
import time
start = time.perf_counter()
import os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
import sys
import numpy as np
import keras
imported = time.perf_counter()
model = keras.saving.load_model(sys.argv[1], compile=False)
loaded = time.perf_counter()
x = np.load(sys.argv[2])
model.predict(x, verbose=0, batch_size=len(x))
print(imported - start, loaded - imported, time.perf_counter() - loaded)
"""


def python_whole(path, input_path):
    """A fresh Python: import keras, load the file, predict once (wall time of the process)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PYTHON_WHOLE, str(path), str(input_path)],
                            capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        return wall, None
    return wall, [float(value) for value in result.stdout.split()[-3:]]


def kerasinspect(path, input_path, expected_path, repeats):
    command = [BINARY, "run", str(path), "--input", str(input_path), "--expected", str(expected_path)]
    if repeats > 1:
        command += ["--repeat", str(repeats)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    return result, wall


def parse_run(result):
    """(median ms, max abs err, ok/FAIL) from `kerasinspect run` output, or a failure line."""
    text = result.stdout + result.stderr
    timing = re.search(r"forward pass: median ([0-9.]+) ms over \d+ run\(s\), batch (\d+)", text)
    comparison = re.search(r"\)\s+([0-9.e+-]+|nan|inf)\s+([0-9.e+-]+|nan|inf)\s+\d+ / \d+\s+(ok|FAIL)", text)
    if timing is None or comparison is None:
        lines = [line for line in text.strip().splitlines() if line.strip()]
        return None, lines[-1] if lines else f"no output (exit {result.returncode})"
    return (float(timing.group(1)), float(comparison.group(1)), comparison.group(3)), None


def bench_model(label, stem, build):
    log(f"{label}: building")
    keras.utils.set_random_seed(1)
    model = build()
    calibrate_batch_norm(model, random_input(model, 4, seed=100))
    path = WORK / f"{stem}.h5"
    model.save(path)
    rows = []
    for batch in BATCHES:
        x = random_input(model, batch, seed=batch)
        input_path, expected_path = WORK / f"{stem}.b{batch}.x.npy", WORK / f"{stem}.b{batch}.y.npy"
        np.save(input_path, x)
        y = np.asarray(model.predict(x, verbose=0, batch_size=batch))
        np.save(expected_path, y)
        predicts, calls, ours = [], [], []
        parsed = failure = None
        for turn in range(ROUNDS):
            log(f"{label}: batch {batch}: round {turn + 1} of {ROUNDS}")
            predicts.append(median_ms(lambda: model.predict(x, verbose=0, batch_size=batch)))
            calls.append(median_ms(lambda: model(x, training=False)))
            if failure is None:
                parsed, failure = parse_run(kerasinspect(path, input_path, expected_path, REPEATS)[0])
                if parsed:
                    ours.append(parsed[0])
        predict_ms, call_ms = statistics.median(predicts), statistics.median(calls)
        keras_ms, which = (predict_ms, "predict") if predict_ms <= call_ms else (call_ms, "call")
        if parsed:
            parsed = (statistics.median(ours),) + parsed[1:]
        log(f"{label}: batch {batch}: whole commands")
        python_wall, python_parts = python_whole(path, input_path)
        whole = statistics.median(kerasinspect(path, input_path, expected_path, 1)[1] for _ in range(WHOLE_RUNS)) \
            if failure is None else None
        rows.append(dict(label=label, batch=batch, keras_ms=keras_ms, which=which, parsed=parsed,
                         failure=failure, whole=whole, python_wall=python_wall, python_parts=python_parts,
                         scale=float(np.abs(y).max())))
    return rows


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), "?")
    mhz = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("cpu MHz")), "?")
    family = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("cpu family")), "?")
    blas = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libopenblas0-pthread"],
                          capture_output=True, text=True).stdout or "?"
    import tensorflow as tf
    return (f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {os.cpu_count()} cores (nproc), {cpu} "
            f"(family {family}, {float(mhz):.0f} MHz), {platform.system()} {platform.release()}; "
            f"keras {keras.__version__} on TensorFlow {tf.__version__}; OpenBLAS {blas}; "
            f"Python {platform.python_version()}")


def fmt(value):
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def report(rows, elapsed):
    lines = ["# Benchmark results", "", machine(), "",
             f"Forward pass: {ROUNDS} rounds in which Keras and kerasinspect take turns, each the median of {REPEATS} "
             "passes after warm-up; the table gives the median round. Same .h5 file and input for both; "
             "Keras: the faster of `predict` and a direct `model(x, training=False)` call (named). "
             f"Whole command: wall time of `kerasinspect run FILE --input x.npy --expected y.npy` (start, "
             f"load, one pass, compare; median of {WHOLE_RUNS}) against a fresh Python process that imports "
             "keras, loads the file and predicts once (one run; import + load + predict seconds in brackets). "
             "Max abs err: kerasinspect against Keras' `predict` output (largest |output| in brackets; "
             "ok = within kerasinspect's default atol 1e-4 / rtol 1e-4).", "",
             "| Model | Batch | Keras (ms) | kerasinspect (ms) | ratio | whole command (s): kerasinspect / Python "
             "(import + load + predict) | max abs err |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        keras_cell = f"{fmt(row['keras_ms'])} ({row['which']})" if row.get("keras_ms") is not None else "–"
        parts = row.get("python_parts")
        python = (f"{row['python_wall']:.2f} ({parts[0]:.2f} + {parts[1]:.2f} + {parts[2]:.2f})"
                  if parts else ("failed" if row.get("python_wall") else "–"))
        if row.get("failure"):
            lines.append(f"| {row['label']} | {row['batch']} | {keras_cell} | cannot run: "
                         f"{row['failure'].replace('|', '/')} | | – / {python} | |")
            continue
        ours, error, verdict = row["parsed"]
        lines.append(f"| {row['label']} | {row['batch']} | {keras_cell} | {fmt(ours)} | "
                     f"{ours / row['keras_ms']:.2f} | {row['whole']:.2f} / {python} | "
                     f"{error:.1e} (of {row['scale']:.3g}) {verdict} |")
    lines += ["", "ratio = kerasinspect / Keras (below 1: kerasinspect is faster).", "",
              "Raw OpenBLAS sgemm (row-major, best of several runs; `bench/sgemm.swift`):", "",
              SGEMM.read_text().strip(), "", f"Benchmark wall time: {elapsed / 60:.1f} min."]
    return "\n".join(lines) + "\n"


def main():
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    for label, stem, build in MODELS:
        try:
            rows += bench_model(label, stem, build)
        except Exception as error:  # a model Keras cannot build here is a row, not a crash
            message = f"{type(error).__name__}: {error}".splitlines()[0][:200]
            log(f"{label}: {message}")
            rows.append(dict(label=label, batch="–", failure=f"Keras: {message}", python_wall=0))
    text = report(rows, time.perf_counter() - started)
    REPORT.write_text(text)
    print(text, end="")


main()
