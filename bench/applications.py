#!/usr/bin/env python3
"""keras.applications models through kerasinspect: params and `run` against Keras 3.

Builds each model with Keras 3 (weights=None, classifier_activation=None, a small input where
the model allows one), gives it seeded weights on a trained network's scale, saves it as .h5,
.keras and JSON + .weights.h5 under bench/out/applications/ (git-ignored), computes Keras'
output on a seeded batch, then runs the release kerasinspect on every file:
`summary --format json` (total params and unverified layers against Keras' count_params) and
`run --input … --expected …` (max abs / rel error, NumPy allclose at 1e-4/1e-4).
Writes the table to bench/out/applications/results.md (bench/applications.md quotes it).

    swift build -c release --scratch-path .build-release --product kerasinspect
    .venv-fixtures/bin/python bench/applications.py [MODEL ...]      # default: all below
"""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["CUDA_VISIBLE_DEVICES"] = ""
import numpy as np  # noqa: E402
import keras  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / ".build-release" / "release" / "kerasinspect"
OUT = ROOT / "bench" / "out" / "applications"
REPORT = OUT / "results.md"  # bench/applications.md quotes it with the findings
BATCH = 2
CALIBRATION_BATCH = 16

A = keras.applications
# Models with their own preprocessing layers (Rescaling / Normalization inside the model) take
# pixels in [0, 255], the others [-1, 1]. Inputs are the smallest square each model accepts
# comfortably (Inception-style stems need 75, NASNetLarge's reductions 96).
PIXELS, SIGNED = (0, 255), (-1, 1)
SPECS = [
    *[(f"ConvNeXt{v}", 64, PIXELS) for v in ("Tiny", "Small", "Base", "Large", "XLarge")],
    *[(f"DenseNet{v}", 64, SIGNED) for v in (121, 169, 201)],
    *[(f"EfficientNetB{v}", 64, PIXELS) for v in range(8)],
    *[(f"EfficientNetV2{v}", 64, PIXELS) for v in ("B0", "B1", "B2", "B3", "S", "M", "L")],
    ("InceptionResNetV2", 75, SIGNED), ("InceptionV3", 75, SIGNED),
    ("MobileNet", 64, SIGNED), ("MobileNetV2", 64, SIGNED),
    ("MobileNetV3Small", 64, PIXELS), ("MobileNetV3Large", 64, PIXELS),
    ("NASNetMobile", 64, SIGNED), ("NASNetLarge", 96, SIGNED),
    *[(f"ResNet{v}", 64, SIGNED) for v in (50, 101, 152)],
    *[(f"ResNet{v}V2", 64, SIGNED) for v in (50, 101, 152)],
    ("VGG16", 64, SIGNED), ("VGG19", 64, SIGNED), ("Xception", 75, SIGNED),
]


def builder(name):
    def build(size):
        options = {"weights": None, "input_shape": (size, size, 3), "classifier_activation": None}
        return getattr(A, name)(**options)
    return build


# name -> (builder, input size, input range)
MODELS = {name: (builder(name), size, value_range) for name, size, value_range in SPECS}


def log(message):
    print(message, file=sys.stderr, flush=True)


def calibrate(model, x, seed):
    """Seeded weights that keep a deep random network's activations alive: kernels
    normal·sqrt(1/fan_in), LayerScale gammas in [0.1, 1] (Keras starts them at 1e-6, which
    would switch ConvNeXt's residual branches off), and every BatchNormalization's moving
    statistics set to those of a seeded calibration batch (one training call with momentum 0)."""
    rng = np.random.default_rng(seed)
    for layer in model._flatten_layers(include_self=False):
        if type(layer).__name__ == "LayerScale":
            layer.set_weights([rng.uniform(0.1, 1.0, size=w.shape).astype("float32") for w in layer.get_weights()])
            continue
        if isinstance(layer, (keras.layers.BatchNormalization, keras.layers.Normalization)):
            continue
        values = []
        for variable, value in zip(layer.weights, layer.get_weights()):
            if variable.name in ("kernel", "depthwise_kernel", "pointwise_kernel") and value.ndim >= 2:
                fan_in = int(np.prod(value.shape[:-1])) if variable.name != "depthwise_kernel" \
                    else int(np.prod(value.shape[:2]))
                value = (rng.normal(size=value.shape) * np.sqrt(1.0 / fan_in)).astype(value.dtype)
            values.append(value)
        if values:
            layer.set_weights(values)
    norms = [l for l in model._flatten_layers() if isinstance(l, keras.layers.BatchNormalization)]
    momenta = [l.momentum for l in norms]
    for l in norms:
        l.momentum = 0.0
    model(x, training=True)
    for l, m in zip(norms, momenta):
        l.momentum = m


def kerasinspect(*arguments):
    started = time.monotonic()
    done = subprocess.run([str(BINARY), *map(str, arguments)], capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def summary_row(path, keras_params):
    code, out, err, seconds = kerasinspect("summary", path, "--format", "json")
    if code not in (0, 1) or not out.strip().startswith("{"):
        return {"params": None, "params_ok": False, "unverified": None, "note": (err or out).strip()[:200]}
    report = json.loads(out)
    unverified = report.get("unverified_layers") or []
    return {"params": report.get("total_params"), "params_ok": report.get("total_params") == keras_params,
            "unverified": len(unverified), "summary_seconds": seconds, "note": ", ".join(map(str, unverified[:3]))}


def run_row(path, inputs, expected, reference64, weights=None):
    produced = Path(f"{path}.ours.npy")
    arguments = ["run", path] + (["--weights", weights] if weights else []) + \
        ["--input", inputs, "--expected", expected, "--output", produced]
    code, out, err, seconds = kerasinspect(*arguments)
    ours_vs_64 = float(np.abs(np.load(produced).astype("float64") - reference64).max()) if produced.exists() else None
    produced.unlink(missing_ok=True)
    match = re.search(r"\)\s+([0-9.e+-]+)\s+([0-9.e+-]+)\s+(\d+) / (\d+)\s+(\w+)", out)
    if not match:
        return {"run": f"refused (exit {code})", "abs": None, "rel": None,
                "note": (err.strip() or out.strip()).splitlines()[-1][:160] if (err or out).strip() else ""}
    return {"run": match.group(5), "abs": float(match.group(1)), "rel": float(match.group(2)),
            "mismatches": f"{match.group(3)} / {match.group(4)}", "seconds": seconds, "note": "",
            "ours_vs_64": ours_vs_64}


def main():
    if not BINARY.exists():
        sys.exit(f"no release build at {BINARY}: swift build -c release --scratch-path .build-release")
    arguments = sys.argv[1:]
    keep = "--keep" in arguments  # otherwise each model's files go once measured (XLarge: 1.4 GB each)
    names = [a for a in arguments if a != "--keep"] or list(MODELS)
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for index, name in enumerate(names):
        build, size, (low, high) = MODELS[name]
        seed = 1000 + list(MODELS).index(name)
        keras.utils.set_random_seed(seed)
        log(f"{name}: building at {size}×{size}")
        model = build(size)
        rng = np.random.default_rng(seed)
        # Statistics from a batch of their own: measured on the 2 test images, a 1×1 feature
        # map (InceptionResNetV2 at 75×75) has near-zero variances, and every BatchNormalization
        # then multiplies float rounding differences by up to 1/sqrt(epsilon).
        calibration = rng.uniform(low, high, size=(CALIBRATION_BATCH, size, size, 3)).astype("float32")
        x = rng.uniform(low, high, size=(BATCH, size, size, 3)).astype("float32")
        calibrate(model, calibration, seed)
        model.predict(x, verbose=0)  # the first call traces; time the second
        started = time.monotonic()
        expected = model.predict(x, verbose=0)
        keras_seconds = time.monotonic() - started
        stem = OUT / name
        files = [Path(f"{stem}{suffix}") for suffix in
                 (".h5", ".keras", ".json", ".weights.h5", ".inputs.npy", ".expected.npy")]
        model.save(files[0])
        model.save(files[1])
        files[2].write_text(model.to_json())
        model.save_weights(files[3])
        np.save(files[4], x)
        np.save(files[5], expected)
        params = model.count_params()
        layer_count = len(model.layers)
        # The same network in float64: how far float32 arithmetic itself strays, Keras' own
        # (TensorFlow's kernels) and ours, so a deviation from Keras reads against that scale.
        keras.config.set_floatx("float64")
        keras.config.set_dtype_policy("float64")
        twin = build(size)
        twin.set_weights([w.astype("float64") for w in model.get_weights()])
        reference64 = np.asarray(twin.predict(x.astype("float64"), verbose=0), dtype="float64")
        keras_vs_64 = float(np.abs(expected.astype("float64") - reference64).max())
        del twin
        keras.config.set_floatx("float32")
        keras.config.set_dtype_policy("float32")
        del model
        keras.backend.clear_session()
        for label, file, weights in (("h5", files[0], None), ("keras", files[1], None),
                                     ("json + weights.h5", files[2], files[3])):
            log(f"  {label}")
            row = {"model": name, "input": f"{size}×{size}", "format": label, "keras_params": params,
                   "layers": layer_count, "output_scale": float(np.abs(expected).max()),
                   "keras_seconds": keras_seconds, "keras_vs_64": keras_vs_64}
            row.update(summary_row(file, params))
            ran = run_row(file, files[4], files[5], reference64, weights)
            row["run_note"] = ran.pop("note")
            row.update(ran)
            rows.append(row)
        if not keep:
            for file in files:
                file.unlink(missing_ok=True)
        write_report(rows)  # after every model, so an interrupted run keeps what it measured


def fmt(value):
    return "—" if value is None else f"{value:.3g}"


def write_report(rows):
    lines = [
        "# keras.applications through kerasinspect",
        "",
        "Written by `bench/applications.py` (Keras 3.15.1 builds, weights=None then seeded",
        f"calibrated weights, BatchNormalization statistics from {CALIBRATION_BATCH} other seeded images,",
        f"batch {BATCH}; release build). *Params* is `summary --format json`'s",
        "total against Keras' `count_params()`; *Unverified* counts layers outside the catalog;",
        "*Run* is `run --expected` (allclose, atol = rtol = 1e-4) with the max abs / rel error",
        "over the output logits (*|out|* is the largest logit, for scale). *Summary s* and *Run s* are",
        "the whole kerasinspect process (run: reading every weight, then the forward pass); *Keras s*",
        "is Keras' second `predict` on the same batch, in the same run. *Keras − f64* and *Ours − f64* are",
        "the max abs differences of Keras' float32 output and of ours from the same network run by Keras",
        "in float64: float32 rounding's own scale, against which a FAIL at 1e-4 is to be read.",
        "",
        "| Model | Input | Format | Keras params | kerasinspect params | Unverified | Run | Max abs err | Max rel err "
        "| \\|out\\| | Keras − f64 | Ours − f64 | Summary s | Run s | Keras s | Note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        params = "—" if r["params"] is None else f"{r['params']:,}" + ("" if r["params_ok"] else " ✗")
        note = "; ".join(n for n in (r.get("note"), r.get("run_note")) if n).replace("|", "\\|")
        lines.append(f"| {r['model']} | {r['input']} | {r['format']} | {r['keras_params']:,} | {params} | "
                     f"{fmt(r['unverified'])} | {r['run']} | {fmt(r['abs'])} | {fmt(r['rel'])} | "
                     f"{fmt(r['output_scale'])} | {fmt(r.get('keras_vs_64'))} | {fmt(r.get('ours_vs_64'))} | "
                     f"{fmt(r.get('summary_seconds'))} | {fmt(r.get('seconds'))} | "
                     f"{fmt(r.get('keras_seconds'))} | {note} |")
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
