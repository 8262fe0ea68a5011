"""TensorFlow's own kernels as the peer of `crgb bench --tf-peer`.

crgb bench starts this script once per run as a co-process
(`python bench_tf_peer.py THREADS DIR`, THREADS 0 for TensorFlow's default)
and talks to it one line at a time, on stdin and stdout; every answer starts
with "@crgb " (anything else on stdout is ignored):

  (start)                   -> ready VERSION | unavailable REASON (then exits)
  load OP DTYPE SIZE...     -> loaded MODE=MAX_REL_ERR ... | error MESSAGE
  run MODE                  -> ms MILLISECONDS | error MESSAGE
  quit

load reads the workload's tensors that crgb wrote to DIR (image.npy,
boxes.npy, box_ind.npy, grads.npy; the reference variant's result as
OP.npy), makes them TensorFlow tensors once, runs each mode twice as a
warm-up and answers with the largest difference of TensorFlow's result from
crgb's reference over its largest |value|. OP is crop_and_resize (SIZE: the
crop height and width), grad_image (output DTYPE; SIZE: the image size,
batch, height, width, depth) or grad_boxes (no SIZE). DTYPE is the output's
dtype for grad_image, the image's otherwise. Modes: "default", and for
grad_image also "deterministic", which runs under
tf.config.experimental.enable_op_determinism() (TensorFlow's CPU kernel then
runs on one thread; by default it shards the boxes over threads that add into
the same output unsynchronized). run times one eager call of the loaded op on
the CPU (time.perf_counter around the call; the output is dropped after the
clock stops), so that crgb can interleave TensorFlow's calls with its own
rounds and take the median itself.
"""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no start-up banners on stderr


def reply(*words):
    sys.stdout.write("@crgb " + " ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()


class Unsupported(Exception):
    """TensorFlow has no kernel for the case: said as is, without a type name."""


def one_line(e):
    text = str(e) if isinstance(e, Unsupported) else type(e).__name__ + ": " + str(e)
    return text.replace("\n", " ")[:400]


def main():
    threads = int(sys.argv[1])
    folder = sys.argv[2]
    try:
        import numpy as np
        import tensorflow as tf
        from tensorflow.python.framework import config as tf_config
    except Exception as e:  # not installed, or broken
        reply("unavailable", one_line(e))
        return 0
    try:
        tf.config.set_visible_devices([], "GPU")  # CPU kernels only
    except Exception:
        pass
    if threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)

    def set_determinism(on):
        if on:
            tf.config.experimental.enable_op_determinism()
        else:
            tf_config.disable_op_determinism()

    dtypes = {"float16": tf.float16, "float32": tf.float32, "float64": tf.float64}
    tf_names = {"crop_and_resize": "CropAndResize", "grad_image": "CropAndResizeGradImage",
                "grad_boxes": "CropAndResizeGradBoxes"}
    calls = {}  # mode -> a function making one eager call

    def load(op, dtype, size):
        calls.clear()
        path = lambda name: os.path.join(folder, name + ".npy")
        if (op == "grad_image" and dtype not in dtypes) or dtype == "bfloat16":
            raise Unsupported("TensorFlow has no %s kernel for %s" % (dtype, tf_names.get(op, op)))
        boxes = tf.constant(np.load(path("boxes")))
        box_ind = tf.constant(np.load(path("box_ind")))
        if op in ("crop_and_resize", "grad_boxes"):
            image = tf.constant(np.load(path("image")))
        if op in ("grad_image", "grad_boxes"):
            grads = tf.constant(np.load(path("grads")))
        with tf.device("/CPU:0"):
            if op == "crop_and_resize":
                crop_size = tf.constant(size, dtype=tf.int32)
                calls["default"] = lambda: tf.raw_ops.CropAndResize(
                    image=image, boxes=boxes, box_ind=box_ind, crop_size=crop_size,
                    method="bilinear", extrapolation_value=0.0)
            elif op == "grad_image":
                image_size = tf.constant(size, dtype=tf.int32)
                T = dtypes[dtype]
                grad = lambda: tf.raw_ops.CropAndResizeGradImage(
                    grads=grads, boxes=boxes, box_ind=box_ind, image_size=image_size, T=T,
                    method="bilinear")
                calls["default"] = grad
                calls["deterministic"] = grad
            elif op == "grad_boxes":
                calls["default"] = lambda: tf.raw_ops.CropAndResizeGradBoxes(
                    grads=grads, image=image, boxes=boxes, box_ind=box_ind, method="bilinear")
            else:
                raise ValueError("unknown op " + op)
        ref = np.load(path(op)).astype(np.float64)
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
        errs = []
        for mode in calls:
            set_determinism(mode == "deterministic")
            with tf.device("/CPU:0"):
                out = calls[mode]().numpy().astype(np.float64)
                calls[mode]()  # the second warm-up call
            set_determinism(False)
            diff = float(np.max(np.abs(out - ref))) if ref.size else 0.0
            if np.isnan(diff) or out.shape != ref.shape:
                diff = float("inf")
            errs.append("%s=%.6g" % (mode, diff / scale if scale > 0 else diff))
        return errs

    def run(mode):
        set_determinism(mode == "deterministic")
        fn = calls[mode]
        with tf.device("/CPU:0"):
            t0 = time.perf_counter()
            out = fn()
            t1 = time.perf_counter()
        del out
        set_determinism(False)
        return (t1 - t0) * 1e3

    reply("ready", tf.__version__)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "quit":
                break
            elif words[0] == "load" and len(words) >= 3:
                reply("loaded", *load(words[1], words[2], [int(w) for w in words[3:]]))
            elif words[0] == "run" and len(words) == 2 and words[1] in calls:
                reply("ms", "%.6f" % run(words[1]))
            else:
                reply("error", "bad request: " + line.strip())
        except Exception as e:
            reply("error", one_line(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
