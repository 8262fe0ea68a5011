"""JAX: arrays in through DLPack, a JAX array out, for every image dtype.

Runs where JAX is installed (scripts/test_python.sh: jax[cpu] in .venv-tf,
with CRGB_TEST_REQUIRE naming it so that a missing install fails instead of
skipping); skipped elsewhere."""

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)  # int64 and float64 images stay 64-bit
jnp = pytest.importorskip("jax.numpy")

import crgb  # noqa: E402
import problems  # noqa: E402
from problems import same_bits  # noqa: E402


@pytest.mark.parametrize("dtype", problems.DTYPES)
def test_jax_in_jax_out(dtype):
    p = problems.random_problem(problems.rng(40), dtype, min_boxes=2)
    want = crgb.crop_and_resize_grad_boxes(*p.args())
    args = [jnp.asarray(a) for a in p.args()]
    assert str(args[1].dtype) == dtype  # JAX kept the image dtype under test
    got = crgb.crop_and_resize_grad_boxes(*args)
    assert isinstance(got, jax.Array) and got.dtype == jnp.float32
    assert same_bits(got, want)
    # An ordinary JAX array for JAX's own ops.
    assert same_bits(got * 2, want * 2)


def test_jax_and_numpy_mixed_and_reference_variant():
    p = problems.random_problem(problems.rng(41), "float32", min_boxes=3)
    want = crgb.crop_and_resize_grad_boxes(*p.args(), variant="reference")
    got = crgb.crop_and_resize_grad_boxes(p.grads, jnp.asarray(p.image), p.boxes, p.box_ind,
                                          variant="reference")
    assert isinstance(got, jax.Array) and same_bits(got, want)


def test_jax_errors_carry_tensorflows_messages():
    p = problems.random_problem(problems.rng(42), "float32", min_boxes=2)
    bad = np.full_like(p.box_ind, p.image.shape[0])  # box_ind == batch
    with pytest.raises(crgb.OutOfRangeError, match=r"box_index has values outside \[0, batch_size\)"):
        crgb.crop_and_resize_grad_boxes(*[jnp.asarray(a) for a in (p.grads, p.image, p.boxes, bad)])


def test_jax_family_in_and_out_with_bfloat16():
    """crop_and_resize and crop_and_resize_grad_image on JAX arrays: JAX arrays
    back, a bfloat16 image read as its float32 values, a bfloat16 image
    gradient as a JAX bfloat16 array with the NumPy call's bits."""
    p = problems.random_problem(problems.rng(43), "float32", min_boxes=2)
    crop_size = p.grads.shape[1:3]
    image = jnp.asarray(p.image, jnp.bfloat16)
    want = crgb.crop_and_resize(np.asarray(image.astype(jnp.float32)), p.boxes, p.box_ind,
                                crop_size)
    got = crgb.crop_and_resize(image, jnp.asarray(p.boxes), jnp.asarray(p.box_ind), crop_size)
    assert isinstance(got, jax.Array) and got.dtype == jnp.float32 and same_bits(got, want)
    for dtype in ("float16", "float32", "float64", "bfloat16"):
        want = crgb.crop_and_resize_grad_image(p.grads, p.boxes, p.box_ind, p.image.shape, dtype)
        got = crgb.crop_and_resize_grad_image(jnp.asarray(p.grads), p.boxes, p.box_ind,
                                              p.image.shape, getattr(jnp, dtype))
        assert isinstance(got, jax.Array) and got.dtype == getattr(jnp, dtype)
        assert np.asarray(got).tobytes() == want.tobytes()
