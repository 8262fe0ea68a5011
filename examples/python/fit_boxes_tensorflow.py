"""Fits boxes to a target by gradient descent through crgb.tensorflow.crop_and_resize.

The target is the crops of a synthetic image at some true boxes; starting from
perturbed boxes, plain gradient descent on the squared difference of the crops
(the box gradient is crgb's CropAndResizeGradBoxes) moves the boxes back onto
the true ones. Prints the progress; exits 0 once every box coordinate is
within TOLERANCE of the truth, 1 if MAX_STEPS pass first.

    PYTHONPATH=build-python/site .venv-tf/bin/python examples/python/fit_boxes_tensorflow.py
"""

import sys

import numpy as np
import tensorflow as tf

import crgb.tensorflow as ct

MAX_STEPS = 300
TOLERANCE = 1e-3  # in normalized coordinates: 1/20 of a pixel of this 64x64 image

# A smooth image with structure everywhere (Gaussian blobs of three colours):
# its crops change smoothly with the boxes, and only the true boxes give the target.
rng = np.random.default_rng(0)
yy, xx = np.mgrid[0:64, 0:64] / 63.0
blobs = [(rng.uniform(0, 1, 2), rng.uniform(0.08, 0.2), rng.uniform(0, 1, 3)) for _ in range(24)]
image = sum(np.exp(-((yy - c[0]) ** 2 + (xx - c[1]) ** 2) / (2 * s * s))[..., None] * rgb
            for c, s, rgb in blobs)[None].astype(np.float32)            # [1, 64, 64, 3]
true_boxes = np.array([[0.2, 0.3, 0.6, 0.75], [0.45, 0.1, 0.9, 0.5], [0.1, 0.55, 0.5, 0.95]],
                      np.float32)
box_ind = np.zeros(len(true_boxes), np.int32)

# The model: crops of the image at trainable boxes, compared with the target's.
target = ct.crop_and_resize(image, true_boxes, box_ind, (24, 24))
boxes = tf.Variable(true_boxes + rng.uniform(-0.06, 0.06, true_boxes.shape).astype(np.float32))


@tf.function
def step(learning_rate=tf.constant(0.1)):
    with tf.GradientTape() as tape:
        crops = ct.crop_and_resize(image, boxes, box_ind, (24, 24))
        loss = tf.reduce_mean(tf.square(crops - target))
    boxes.assign_sub(learning_rate * tape.gradient(loss, boxes))
    return loss


for i in range(1, MAX_STEPS + 1):
    loss = float(step())
    error = float(np.abs(boxes.numpy() - true_boxes).max())
    if i == 1 or i % 25 == 0 or error < TOLERANCE:
        print(f"step {i:4d}  loss {loss:.3e}  max box error {error:.2e}")
    if error < TOLERANCE:
        print(f"converged after {i} steps")
        sys.exit(0)
print(f"not converged after {MAX_STEPS} steps (max box error {error:.2e})")
sys.exit(1)
