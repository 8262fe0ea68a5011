"""Fit boxes by gradient descent through crgb.jax.crop_and_resize (JAX).

A target patch is cropped from a smooth image at a known box; starting from a
box beside it, plain gradient descent on the squared difference of the crops
moves the box onto the target. Run: python examples/python/fit_boxes_jax.py
"""

import jax
import jax.numpy as jnp
import numpy as np

import crgb.jax

y, x = np.mgrid[0:48, 0:64] / 8.0
image = jnp.asarray(np.stack([np.sin(y) * np.cos(x), np.cos(0.7 * y + x)], -1)[None], jnp.float32)
box_ind, crop = jnp.zeros(1, jnp.int32), (8, 8)
target = crgb.jax.crop_and_resize(image, jnp.array([[0.30, 0.25, 0.60, 0.55]]), box_ind, crop)


@jax.jit
def step(boxes):
    loss, grad = jax.value_and_grad(lambda b: jnp.mean(
        (crgb.jax.crop_and_resize(image, b, box_ind, crop) - target) ** 2))(boxes)
    return boxes - 0.05 * grad, loss


boxes = jnp.array([[0.34, 0.20, 0.66, 0.52]])
for i in range(300):
    boxes, loss = step(boxes)
    if i % 50 == 0:
        print(f"step {i:3d}  loss {float(loss):.2e}  box {np.round(np.asarray(boxes[0]), 4)}")
error = float(jnp.max(jnp.abs(boxes - jnp.array([[0.30, 0.25, 0.60, 0.55]]))))
print(f"{'converged' if error < 1e-3 else 'did not converge'}: box within {error:.1e} of the target")
