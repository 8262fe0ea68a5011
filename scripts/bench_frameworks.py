#!/usr/bin/env python3
"""Per-framework speed of crgb's crop_and_resize against what a user of that
framework would otherwise write, in one process (docs/frameworks.md):

- forward + backward (the crops, then the boxes gradient and, for a float
  image, the image gradient, of loss = sum(crops * w)) per call on W1-W5
  (the shapes of `crgb bench`), compiled the framework's way;
- the per-call overhead of the forward op alone on a tiny input.

  jax:        crgb.jax under jax.jit      vs a jnp gather formulation under jax.jit
  tensorflow: crgb.tensorflow in tf.function vs tf.image.crop_and_resize in tf.function
  torch:      crgb.torch (eager)          vs the same math in torch ops (eager autograd)

Each row is the median of --repeats timed calls after --warmup; the two
sides alternate call by call so that machine noise hits both alike.

  PYTHONPATH=build-python/site .venv-tf/bin/python scripts/bench_frameworks.py jax
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

# (name, batch, height, width, depth, num_boxes, crop_h, crop_w, dtype): cli/workloads.cpp.
WORKLOADS = [
    ("W1", 2, 64, 64, 256, 512, 7, 7, "float32"),
    ("W2", 2, 100, 100, 256, 256, 14, 14, "float32"),
    ("W3", 8, 32, 32, 64, 4096, 7, 7, "float32"),
    ("W4", 1, 38, 38, 1024, 300, 14, 14, "float32"),
    ("W5", 2, 64, 64, 256, 512, 7, 7, "uint8"),
]
TINY = ("tiny", 1, 4, 4, 1, 1, 1, 1, "float32")


def inputs(spec, seed=0):
    _, n, h, w, d, m, ch, cw, dtype = spec
    r = np.random.default_rng(seed)
    if dtype == "uint8":
        image = r.integers(0, 256, (n, h, w, d), dtype=np.uint8)
    else:
        image = r.uniform(-1, 1, (n, h, w, d)).astype(np.float32)
    lo = r.uniform(0, 0.6, (m, 2))
    boxes = np.concatenate([lo, lo + r.uniform(0.1, 0.4, (m, 2))], 1)  # y1, x1, y2, x2
    boxes = boxes.astype(np.float32)
    box_ind = r.integers(0, n, m).astype(np.int32)
    weights = r.standard_normal((m, ch, cw, d)).astype(np.float32)
    return image, boxes, box_ind, (ch, cw), weights


def timed(fns, warmup, repeats):
    """Median seconds per call of each function, calls interleaved."""
    for f in fns:
        for _ in range(warmup):
            f()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for i, f in enumerate(fns):
            t = time.perf_counter()
            f()
            times[i].append(time.perf_counter() - t)
    return [statistics.median(t) for t in times]


# --- JAX ---------------------------------------------------------------------

def jax_sides(spec):
    import jax
    import jax.numpy as jnp

    import crgb.jax

    image, boxes, box_ind, crop, weights = inputs(spec)
    _, n, h, w, d, m, ch, cw, dtype = spec

    def gather_crop(img, bx, ind):
        def coords(a, b, c, size):
            if c > 1:
                return a[:, None] * (size - 1) + jnp.arange(c)[None, :] * (
                    (b - a) * (size - 1) / (c - 1))[:, None]
            return (0.5 * (a + b) * (size - 1))[:, None]

        ys, xs = coords(bx[:, 0], bx[:, 2], ch, h), coords(bx[:, 1], bx[:, 3], cw, w)
        inside = (((ys >= 0) & (ys <= h - 1))[:, :, None] & ((xs >= 0) & (xs <= w - 1))[:, None, :])
        top, left = jnp.floor(ys), jnp.floor(xs)
        yl, xl = (ys - top)[:, :, None, None], (xs - left)[:, None, :, None]
        t = jnp.clip(top, 0, h - 1).astype(jnp.int32)[:, :, None]
        b = jnp.clip(jnp.ceil(ys), 0, h - 1).astype(jnp.int32)[:, :, None]
        lft = jnp.clip(left, 0, w - 1).astype(jnp.int32)[:, None, :]
        r = jnp.clip(jnp.ceil(xs), 0, w - 1).astype(jnp.int32)[:, None, :]
        k = ind[:, None, None]
        f = img.astype(jnp.float32)
        top_row = f[k, t, lft] + (f[k, t, r] - f[k, t, lft]) * xl
        bottom_row = f[k, b, lft] + (f[k, b, r] - f[k, b, lft]) * xl
        return jnp.where(inside[..., None], top_row + (bottom_row - top_row) * yl, 0.0)

    float_image = dtype != "uint8"
    argnums = (0, 1) if float_image else (1,)

    # The weights and box indices are arguments, as in training: captured as
    # NumPy constants they made XLA's program about 7x slower on W1 for both
    # sides (34 ms against 4.7 ms for crgb's, 2026-12-02).
    def step(crop_fn):
        def loss(img, bx, ind, wts):
            return jnp.sum(crop_fn(img, bx, ind) * wts)
        return jax.jit(jax.value_and_grad(loss, argnums=argnums))

    ours = step(lambda i, b, k: crgb.jax.crop_and_resize(i, b, k, crop))
    theirs = step(gather_crop)
    args = (jnp.asarray(image), jnp.asarray(boxes), jnp.asarray(box_ind), jnp.asarray(weights))
    fwd_ours = jax.jit(lambda i, b, k: crgb.jax.crop_and_resize(i, b, k, crop))
    fwd_theirs = jax.jit(gather_crop)
    return (lambda: jax.block_until_ready(ours(*args)),
            lambda: jax.block_until_ready(theirs(*args)),
            lambda: jax.block_until_ready(fwd_ours(*args[:3])),
            lambda: jax.block_until_ready(fwd_theirs(*args[:3])),
            "jnp gather under jax.jit", f"jax {jax.__version__}")


# --- TensorFlow --------------------------------------------------------------

def tensorflow_sides(spec):
    import tensorflow as tf

    import crgb.tensorflow

    image, boxes, box_ind, crop, weights = inputs(spec)
    float_image = spec[-1] != "uint8"
    image, boxes = tf.constant(image), tf.constant(boxes)
    box_ind, weights = tf.constant(box_ind), tf.constant(weights)

    def step(crop_fn):
        @tf.function
        def f(img, bx):
            with tf.GradientTape() as tape:
                tape.watch(bx)
                if float_image:
                    tape.watch(img)
                loss = tf.reduce_sum(crop_fn(img, bx) * weights)
            return loss, tape.gradient(loss, [img, bx] if float_image else [bx])
        return f

    ours = step(lambda i, b: crgb.tensorflow.crop_and_resize(i, b, box_ind, crop))
    theirs = step(lambda i, b: tf.image.crop_and_resize(i, b, box_ind, crop))
    fwd_ours = tf.function(lambda i, b: crgb.tensorflow.crop_and_resize(i, b, box_ind, crop))
    fwd_theirs = tf.function(lambda i, b: tf.image.crop_and_resize(i, b, box_ind, crop))

    def run(f):
        return lambda: [np.asarray(t) for t in tf.nest.flatten(f(image, boxes))]

    return (run(ours), run(theirs), run(fwd_ours), run(fwd_theirs),
            "tf.image.crop_and_resize in tf.function", f"tensorflow {tf.__version__}")


# --- PyTorch -----------------------------------------------------------------

def torch_sides(spec):
    import torch

    import crgb.torch

    image, boxes, box_ind, crop, weights = inputs(spec)
    _, n, h, w, d, m, ch, cw, dtype = spec
    float_image = dtype != "uint8"
    image, boxes = torch.from_numpy(image), torch.from_numpy(boxes)
    box_ind, weights = torch.from_numpy(box_ind), torch.from_numpy(weights)

    def torch_crop(img, bx):
        def coords(a, b, c, size):
            if c > 1:
                steps = torch.arange(c, dtype=torch.float32)
                return a[:, None] * (size - 1) + steps[None, :] * (
                    (b - a) * (size - 1) / (c - 1))[:, None]
            return (0.5 * (a + b) * (size - 1))[:, None]

        ys, xs = coords(bx[:, 0], bx[:, 2], ch, h), coords(bx[:, 1], bx[:, 3], cw, w)
        inside = (((ys >= 0) & (ys <= h - 1))[:, :, None] & ((xs >= 0) & (xs <= w - 1))[:, None, :])
        top, left = torch.floor(ys), torch.floor(xs)
        yl, xl = (ys - top)[:, :, None, None], (xs - left)[:, None, :, None]
        t = top.clamp(0, h - 1).long()[:, :, None]
        b = torch.ceil(ys).clamp(0, h - 1).long()[:, :, None]
        lft = left.clamp(0, w - 1).long()[:, None, :]
        r = torch.ceil(xs).clamp(0, w - 1).long()[:, None, :]
        k = box_ind.long()[:, None, None]
        f = img.float()
        top_row = f[k, t, lft] + (f[k, t, r] - f[k, t, lft]) * xl
        bottom_row = f[k, b, lft] + (f[k, b, r] - f[k, b, lft]) * xl
        crops = top_row + (bottom_row - top_row) * yl
        return torch.where(inside[..., None], crops, torch.zeros_like(crops))

    def step(crop_fn):
        def f():
            img = image.clone().requires_grad_(float_image)
            bx = boxes.clone().requires_grad_()
            loss = (crop_fn(img, bx) * weights).sum()
            loss.backward()
            return loss
        return f

    def fwd(crop_fn):
        def f():
            with torch.no_grad():
                return crop_fn(image, boxes)
        return f

    ours = lambda i, b: crgb.torch.crop_and_resize(i, b, box_ind, crop)  # noqa: E731
    return (step(ours), step(torch_crop), fwd(ours), fwd(torch_crop),
            "the same math in torch ops (eager autograd)", f"torch {torch.__version__}")


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


SIDES = {"jax": jax_sides, "tensorflow": tensorflow_sides, "torch": torch_sides}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("framework", choices=sorted(SIDES))
    ap.add_argument("--workloads", default="W1,W2,W3,W4,W5")
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json", help="write the rows here as JSON")
    args = ap.parse_args()
    import crgb

    chosen = [w for w in WORKLOADS if w[0] in args.workloads.split(",")]
    rows = []
    alt = version = None
    for spec in chosen:
        ours, theirs, _, _, alt, version = SIDES[args.framework](spec)
        t_ours, t_theirs = timed([ours, theirs], args.warmup, args.repeats)
        rows.append({"workload": spec[0], "crgb_ms": t_ours * 1e3, "other_ms": t_theirs * 1e3,
                     "speedup": t_theirs / t_ours})
        print(f"bench_frameworks: {spec[0]} done", file=sys.stderr, flush=True)
    _, _, ours, theirs, alt, version = SIDES[args.framework](TINY)
    t_ours, t_theirs = timed([ours, theirs], 50, 1000)
    overhead = {"crgb_us": t_ours * 1e6, "other_us": t_theirs * 1e6}

    machine = f"{cpu_name()}, {os.cpu_count()} cores"
    print(f"\n{args.framework} ({version}; crgb {crgb.__version__}, variant "
          f"{crgb.selected_variant()}; {machine}): forward + backward per call, median of "
          f"{args.repeats}; other = {alt}\n")
    print("| workload | crgb ms | other ms | other / crgb |")
    print("|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['workload']} | {r['crgb_ms']:.2f} | {r['other_ms']:.2f} | "
              f"{r['speedup']:.2f}x |")
    print(f"| tiny forward (1 box, 4x4x1 image, crop 1x1) | {overhead['crgb_us'] / 1e3:.3f} | "
          f"{overhead['other_us'] / 1e3:.3f} | {overhead['other_us'] / overhead['crgb_us']:.2f}x |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"framework": args.framework, "version": version, "other": alt,
                       "variant": crgb.selected_variant(), "rows": rows,
                       "tiny_forward": overhead}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
