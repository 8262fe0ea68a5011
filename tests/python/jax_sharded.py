"""crgb.jax on two CPU devices, run by test_jax_ops.py in its own process
(XLA_FLAGS=--xla_force_host_platform_device_count=2 must be set before JAX
starts). Exits non-zero on the first failed check.

- shard_map, boxes split across the devices, the image replicated: the
  boxes gradient equals one device's bit for bit (each box's is computed
  alone), the image gradient (a psum of per-device partial sums, shard_map's
  transpose of the replicated image) within float32 summation error;
- plain jit over inputs sharded by boxes: custom_partitioning splits each op
  by boxes (one custom call per device over half the boxes, no all-gather of
  the boxes, one all-reduce for the image gradient), and the results are the
  same as above, left sharded by boxes.
"""

import numpy as np

import jax
import jax.numpy as jnp
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

import crgb
import crgb.jax as cj

U = 2.0**-24


def check(cond, what):
    if not cond:
        raise SystemExit(f"jax_sharded: FAILED: {what}")
    print(f"jax_sharded: ok: {what}")


def main():
    check(len(jax.devices()) == 2, f"two CPU devices ({jax.devices()})")
    mesh = Mesh(np.array(jax.devices()), ("boxes",))
    r = np.random.default_rng(12)
    image = r.standard_normal((2, 12, 10, 4)).astype(np.float32)
    boxes = np.sort(r.uniform(-0.1, 1.1, (8, 2, 2)), axis=1).reshape(8, 4)[:, [0, 2, 1, 3]]
    boxes = boxes.astype(np.float32)
    box_ind = r.integers(0, 2, 8).astype(np.int32)
    w = r.standard_normal((8, 5, 3, 4)).astype(np.float32)
    crop = (5, 3)

    def loss(i, b, k, w):
        return jnp.sum(cj.crop_and_resize(i, b, k, crop) * w)

    want_i, want_b = jax.jit(jax.grad(loss, argnums=(0, 1)))(image, boxes, box_ind, w)
    # The image gradient's float32 sums, reordered across devices: within
    # (terms + 1) u of the sum of absolute shares, |w| through the same op.
    scale = crgb.crop_and_resize_grad_image(np.abs(w), boxes, box_ind, image.shape, "float64")
    terms = 8 * 4  # at most every box's 4 corners land on one pixel

    def close(got):
        return bool(np.all(np.abs(np.asarray(got, np.float64) - np.asarray(want_i, np.float64))
                           <= (terms + 1) * U * scale + 1e-30))

    def local_loss(i, b, k, w):
        return jax.lax.psum(loss(i, b, k, w), "boxes")

    sharded = jax.shard_map(local_loss, mesh=mesh,
                            in_specs=(P(), P("boxes"), P("boxes"), P("boxes")), out_specs=P(),
                            check_vma=False)
    got_i, got_b = jax.jit(jax.grad(sharded, argnums=(0, 1)))(image, boxes, box_ind, w)
    check(np.array_equal(np.asarray(got_b), np.asarray(want_b)),
          "shard_map: boxes gradient equals one device's")
    check(close(got_i), "shard_map: image gradient within float32 summation error")
    crops = jax.jit(jax.shard_map(lambda i, b, k: cj.crop_and_resize(i, b, k, crop), mesh=mesh,
                                  in_specs=(P(), P("boxes"), P("boxes")), out_specs=P("boxes"),
                                  check_vma=False))(image, boxes, box_ind)
    check(np.array_equal(np.asarray(crops), crgb.crop_and_resize(image, boxes, box_ind, crop)),
          "shard_map: crops equal crgb's")

    put = lambda x, spec: jax.device_put(x, NamedSharding(mesh, spec))  # noqa: E731
    args = (put(image, P()), put(boxes, P("boxes", None)), put(box_ind, P("boxes")),
            put(w, P("boxes", None, None, None)))
    grad = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))
    _, (got_i, got_b) = grad(*args)
    check(np.array_equal(np.asarray(got_b), np.asarray(want_b)),
          "custom_partitioning: boxes gradient equals one device's")
    check(got_b.sharding.spec[0] == "boxes", f"boxes gradient left sharded ({got_b.sharding})")
    check(close(got_i), "custom_partitioning: image gradient within float32 summation error")
    text = grad.lower(*args).compile().as_text()
    calls = [ln for ln in text.splitlines() if 'custom_call_target="crgb_' in ln]
    check(len(calls) == 3 and all("[4," in ln.split("=")[1].split()[0] or "grad_image" in ln
                                  for ln in calls),
          "one call per op, each device's over 4 of the 8 boxes: "
          + "; ".join(ln.split("=")[1].split()[0] for ln in calls))
    check("all-gather" not in text, "no all-gather")
    check(text.count("all-reduce(") == 1, "one all-reduce (the image gradient's)")
    fwd = jax.jit(lambda i, b, k: cj.crop_and_resize(i, b, k, crop))
    crops = fwd(*args[:3])
    check(crops.sharding.spec[0] == "boxes" and np.array_equal(
        np.asarray(crops), crgb.crop_and_resize(image, boxes, box_ind, crop)),
        "custom_partitioning: crops equal crgb's, sharded by boxes")
    print("jax_sharded: all checks passed")


if __name__ == "__main__":
    main()
