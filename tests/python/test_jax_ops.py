"""crgb.jax: the three ops as XLA FFI custom calls, under jit, grad and vmap;
sharded runs (shard_map, custom_partitioning) in a subprocess with two CPU
devices (jax_sharded.py); the example converging.

Runs where JAX is installed with crgb._crgb_jax built (scripts/test_python.sh:
.venv-tf, CRGB_TEST_REQUIRE naming crgb.jax so that a missing module fails
instead of skipping); skipped elsewhere."""

import os
import subprocess
import sys

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)  # float64 images and boxes stay 64-bit
jnp = pytest.importorskip("jax.numpy")
cj = pytest.importorskip("crgb.jax")

import crgb  # noqa: E402
import problems  # noqa: E402
from problems import same_bits  # noqa: E402

U = 2.0**-24  # float32's unit roundoff
HERE = os.path.dirname(__file__)
ROOT = os.path.dirname(os.path.dirname(HERE))


def case(salt, dtype="float32", batch=2, num_boxes=5, size=(9, 11), depth=3):
    r = problems.rng(salt)
    image = problems.random_image(r, (batch, *size, depth), dtype)
    boxes = problems.random_boxes(r, num_boxes, *size)
    box_ind = r.integers(0, batch, num_boxes).astype(np.int32)
    return image, boxes, box_ind


@pytest.mark.parametrize("dtype", problems.DTYPES)
@pytest.mark.parametrize("method", ["bilinear", "nearest"])
def test_raw_ops_are_crgbs_ops_under_jit(dtype, method):
    """Each custom call gives crgb's NumPy result bit for bit (that one is
    TensorFlow's, test_family_vs_tensorflow.py), eagerly and under jit."""
    image, boxes, box_ind = case(1, dtype)
    crop = (4, 3)
    want = crgb.crop_and_resize(image, boxes, box_ind, crop, method, 0.5)
    got = cj.crop_and_resize_raw(image, boxes, box_ind, crop, method, 0.5)
    assert isinstance(got, jax.Array) and same_bits(got, want)
    jitted = jax.jit(lambda i, b, k: cj.crop_and_resize_raw(i, b, k, crop, method, 0.5))
    assert same_bits(jitted(image, boxes, box_ind), want)

    grads = problems.rng(2).standard_normal(want.shape).astype(np.float32)
    for out in ("float16", "float32", "float64", "bfloat16"):
        want_gi = crgb.crop_and_resize_grad_image(grads, boxes, box_ind, image.shape, out, method)
        got_gi = jax.jit(lambda g, b, k: cj.crop_and_resize_grad_image(
            g, b, k, image.shape, getattr(jnp, out), method))(grads, boxes, box_ind)
        assert got_gi.dtype == getattr(jnp, out)
        assert np.asarray(got_gi).tobytes() == want_gi.tobytes()
    want_gb = crgb.crop_and_resize_grad_boxes(grads, image, boxes, box_ind)
    got_gb = jax.jit(cj.crop_and_resize_grad_boxes)(grads, image, boxes, box_ind)
    assert same_bits(got_gb, want_gb)


def test_reference_variant_and_variant_argument():
    image, boxes, box_ind = case(3)
    want = crgb.crop_and_resize(image, boxes, box_ind, (3, 3), variant="reference")
    got = cj.crop_and_resize(image, boxes, box_ind, (3, 3), variant="reference")
    assert same_bits(got, want)
    with pytest.raises(crgb.InvalidArgumentError, match="no-such-variant"):
        cj.crop_and_resize(image, boxes, box_ind, (3, 3), variant="no-such-variant")


def forward64(image, boxes, box_ind, crop):
    """TensorFlow's bilinear crop_and_resize (extrapolation 0) in float64
    NumPy, from its formula: the reference for finite differences."""
    _, height, width, depth = image.shape
    out = np.zeros((len(boxes), *crop, depth))
    for n, (y1, x1, y2, x2) in enumerate(boxes.astype(np.float64)):
        ys = problems.tf_coords(y1, y2, crop[0], height)
        xs = problems.tf_coords(x1, x2, crop[1], width)
        im = image[box_ind[n]].astype(np.float64)
        for i, y in enumerate(ys):
            for j, x in enumerate(xs):
                if not (0 <= y <= height - 1 and 0 <= x <= width - 1):
                    continue
                t, lft = int(np.floor(y)), int(np.floor(x))
                b, r = int(np.ceil(y)), int(np.ceil(x))
                top = im[t, lft] + (im[t, r] - im[t, lft]) * (x - lft)
                bot = im[b, lft] + (im[b, r] - im[b, lft]) * (x - lft)
                out[n, i, j] = top + (bot - top) * (y - t)
    return out


@pytest.mark.parametrize("crop", [(3, 4), (1, 1), (1, 5)])
def test_gradients_match_float64_finite_differences(crop):
    """jax.grad through crgb.jax.crop_and_resize: the boxes gradient against
    central differences of forward64, the image gradient against crgb's
    CropAndResizeGradImage (the loss is linear in the image: its gradient is
    that op exactly), bit for bit.

    Boxes tolerance: TensorFlow's float32 sum of k = crop area * depth terms
    of absolute sum S (problems.abs_sums) is within (k + 16) u S; its float32
    sample coordinates move each term by at most 3u (L - 1) of S, L the
    longer image side; the differences themselves are exact to float64
    rounding (the crops are linear within the step). A wrong sign, weight or
    corner errs by a sizable part of S."""
    r = problems.rng(4)
    batch, height, width, depth = 2, 6, 8, 3
    image = (r.standard_normal((batch, height, width, depth)) * 4).astype(np.float32)
    boxes = problems.boxes_off_the_grid(r, 3, height, width, crop, margin=0.02)
    box_ind = r.integers(0, batch, 3).astype(np.int32)
    w = r.standard_normal((3, *crop, depth)).astype(np.float32)

    def loss(i, b):
        return jnp.sum(cj.crop_and_resize(i, b, box_ind, crop) * w)

    g_image, g_boxes = jax.jit(jax.grad(loss, argnums=(0, 1)))(image, boxes)
    assert g_boxes.dtype == jnp.float32 and g_image.dtype == jnp.float32
    assert same_bits(g_image, crgb.crop_and_resize_grad_image(w, boxes, box_ind, image.shape))

    h = 1e-4  # normalized units: at most 7e-4 pixels, under the 0.02 margin
    fd = np.zeros((3, 4))
    for n in range(3):
        for c in range(4):
            up, down = boxes.astype(np.float64), boxes.astype(np.float64)
            up[n, c] += h
            down[n, c] -= h
            fd[n, c] = (np.sum(forward64(image, up, box_ind, crop) * w)
                        - np.sum(forward64(image, down, box_ind, crop) * w)) / (2 * h)
    p = problems.Problem(w, image, boxes, box_ind)
    k = crop[0] * crop[1] * depth
    tol = (k + 16 + 3 * (max(height, width) - 1)) * U * problems.abs_sums(p) + 1e-9
    assert np.all(np.abs(np.asarray(g_boxes, np.float64) - fd) <= tol), (g_boxes, fd)


def test_gradient_kinds_and_dtypes():
    """float64 boxes get a float64 gradient (of their float32 rounding, as
    TensorFlow takes float32 boxes); a float16 / bfloat16 image its own dtype;
    an integer image and box_ind none (float0); nearest's boxes gradient is
    bilinear GradBoxes (TensorFlow's registered gradient)."""
    image, boxes, box_ind = case(5)
    w = problems.rng(6).standard_normal((5, 2, 3, 3)).astype(np.float32)
    for dt in (jnp.float16, jnp.bfloat16, jnp.float64):
        gi = jax.grad(lambda i: jnp.sum(cj.crop_and_resize(i, boxes, box_ind, (2, 3)) * w))(
            jnp.asarray(image, dt))
        assert gi.dtype == dt
        want = crgb.crop_and_resize_grad_image(w, boxes, box_ind, image.shape, jnp.dtype(dt))
        assert np.asarray(gi).tobytes() == want.tobytes()
    b64 = boxes.astype(np.float64)
    gb = jax.grad(lambda b: jnp.sum(cj.crop_and_resize(image, b, box_ind, (2, 3), "nearest")
                                    * w))(b64)
    assert gb.dtype == jnp.float64
    want = crgb.crop_and_resize_grad_boxes(w, image, boxes, box_ind)
    assert same_bits(np.asarray(gb).astype(np.float32), want)
    ints = image.astype(np.int16)
    g_int, g_ind = jax.grad(lambda i, k: jnp.sum(cj.crop_and_resize(i, boxes, k, (2, 3))),
                            argnums=(0, 1), allow_int=True)(ints, box_ind)
    assert g_int.dtype == jax.dtypes.float0 and g_ind.dtype == jax.dtypes.float0


def one_custom_call(f, *args, target):
    """The number of calls of `target` in f's compiled program, and their result shapes."""
    text = jax.jit(f).lower(*args).compile().as_text()
    lines = [ln for ln in text.splitlines() if f'custom_call_target="{target}"' in ln]
    return len(lines), [ln.split("=")[1].split()[0] for ln in lines]


def test_vmap_is_one_folded_call():
    """vmap over images, boxes and box indices: one custom call over the
    whole batch (its result carries the mapped axis), whose results equal
    crgb's per example, for all three ops and both gradients."""
    r = problems.rng(7)
    B, crop = 3, (4, 6)
    images = r.random((B, 2, 9, 11, 3), dtype=np.float32)
    boxes = np.stack([problems.random_boxes(r, 5, 9, 11) for _ in range(B)])
    box_ind = r.integers(0, 2, (B, 5)).astype(np.int32)
    fwd = jax.vmap(lambda i, b, k: cj.crop_and_resize(i, b, k, crop))
    count, shapes = one_custom_call(fwd, images, boxes, box_ind, target="crgb_crop_and_resize")
    assert count == 1 and shapes == ["f32[3,5,4,6,3]{4,3,2,1,0}"]
    got = fwd(images, boxes, box_ind)
    want = np.stack([crgb.crop_and_resize(images[b], boxes[b], box_ind[b], crop)
                     for b in range(B)])
    assert same_bits(got, want)

    w = r.standard_normal((B, 5, *crop, 3)).astype(np.float32)

    def loss(i, b, k, w):
        return jnp.sum(cj.crop_and_resize(i, b, k, crop) * w)

    grad = jax.vmap(jax.grad(loss, argnums=(0, 1)))
    gi, gb = grad(images, boxes, box_ind, w)
    for b in range(B):
        assert same_bits(gi[b], crgb.crop_and_resize_grad_image(w[b], boxes[b], box_ind[b],
                                                                images[b].shape))
        assert same_bits(gb[b], crgb.crop_and_resize_grad_boxes(w[b], images[b], boxes[b],
                                                                box_ind[b]))
    count, _ = one_custom_call(grad, images, boxes, box_ind, w,
                               target="crgb_crop_and_resize_grad_boxes")
    assert count == 1


def test_vmap_with_unmapped_and_nested_axes():
    """One image shared by mapped box sets (no copy of it per example), mapped
    images with shared boxes, and two nested vmaps: each equals crgb per example."""
    r = problems.rng(8)
    image = r.random((2, 7, 5, 2), dtype=np.float32)
    images = r.random((3, 2, 7, 5, 2), dtype=np.float32)
    boxes = np.stack([problems.random_boxes(r, 4, 7, 5) for _ in range(3)])
    box_ind = r.integers(0, 2, (3, 4)).astype(np.int32)
    crop = (3, 2)
    got = jax.vmap(lambda b, k: cj.crop_and_resize(image, b, k, crop))(boxes, box_ind)
    for b in range(3):
        assert same_bits(got[b], crgb.crop_and_resize(image, boxes[b], box_ind[b], crop))
    got = jax.vmap(lambda i: cj.crop_and_resize(i, boxes[0], box_ind[0], crop))(images)
    for b in range(3):
        assert same_bits(got[b], crgb.crop_and_resize(images[b], boxes[0], box_ind[0], crop))
    nested = jax.vmap(jax.vmap(lambda i, b: cj.crop_and_resize(i, b, box_ind[0], crop),
                               in_axes=(None, 0)), in_axes=(0, None))(images, boxes)
    assert nested.shape == (3, 3, 4, *crop, 2)
    for a in range(3):
        for b in range(3):
            assert same_bits(nested[a, b],
                             crgb.crop_and_resize(images[a], boxes[b], box_ind[0], crop))
    g = r.standard_normal((3, 4, *crop, 2)).astype(np.float32)
    gi = jax.vmap(lambda g, b, k: cj.crop_and_resize_grad_image(g, b, k, image.shape))(
        g, boxes, box_ind)
    for b in range(3):
        assert same_bits(gi[b], crgb.crop_and_resize_grad_image(g[b], boxes[b], box_ind[b],
                                                                image.shape))


def test_vmap_keeps_each_examples_index_range():
    """Under vmap a box index is checked against its own example's batch: an
    index that would be valid in the folded batch is still OutOfRange."""
    image, boxes, box_ind = case(9)
    images = np.stack([image, image])
    inds = np.stack([box_ind, box_ind])
    inds[1, 0] = 2  # in [0, 4) of the folded images, outside [0, 2) of its own
    with pytest.raises(crgb.OutOfRangeError,
                       match=r"^box_index has values outside \[0, batch_size\)$"):
        with cj.errors():
            jax.block_until_ready(jax.vmap(
                lambda i, k: cj.crop_and_resize(i, boxes, k, (2, 2)))(images, inds))


def test_errors_carry_tensorflows_messages():
    image, boxes, box_ind = case(10)
    bad = box_ind.copy()
    bad[0] = 2
    with pytest.raises(crgb.OutOfRangeError, match=r"box_index has values outside"):
        cj.crop_and_resize(image, boxes, bad, (2, 2))
    nan = boxes.copy()
    nan[1, 2] = np.nan
    with pytest.raises(crgb.InvalidArgumentError,
                       match="^Boxes contains at least one element that is not finite$"):
        cj.crop_and_resize(image, nan, box_ind, (2, 2))
    with pytest.raises(crgb.InvalidArgumentError, match=r"^input image must be 4-D\[9,11,3\]$"):
        cj.crop_and_resize(image[0], boxes, box_ind, (2, 2))
    # The same with no boxes: an empty result still runs the checks.
    with pytest.raises(crgb.InvalidArgumentError, match=r"^input image must be 4-D"):
        cj.crop_and_resize(image[0], np.zeros((0, 4), np.float32), np.zeros(0, np.int32), (2, 2))
    with pytest.raises(crgb.InvalidArgumentError, match="^crop dimensions must be positive$"):
        cj.crop_and_resize(image, boxes, box_ind, (0, 2))
    with pytest.raises(crgb.InvalidArgumentError, match="^method must be 'bilinear' or 'nearest'$"):
        cj.crop_and_resize(image, boxes, box_ind, (2, 2), method="bicubic")
    with pytest.raises(crgb.InvalidArgumentError, match="^box_index has incompatible shape$"):
        cj.crop_and_resize_grad_boxes(np.zeros((5, 2, 2, 3), np.float32), image, boxes,
                                      box_ind[:4])
    # Inside jit JAX raises its own error carrying crgb's; errors() converts it.
    f = jax.jit(lambda k: cj.crop_and_resize(image, boxes, k, (2, 2)))
    with pytest.raises(Exception, match=r"crgb OutOfRange: box_index has values outside") as e:
        jax.block_until_ready(f(bad))
    assert not isinstance(e.value, crgb.Error)
    with pytest.raises(crgb.OutOfRangeError):
        with cj.errors():
            jax.block_until_ready(f(bad))


def test_empty_boxes():
    image, _, _ = case(11)
    got = cj.crop_and_resize(image, np.zeros((0, 4), np.float32), np.zeros(0, np.int32), (3, 2))
    assert got.shape == (0, 3, 2, 3)
    gi = cj.crop_and_resize_grad_image(np.zeros((0, 3, 2, 3), np.float32),
                                       np.zeros((0, 4), np.float32), np.zeros(0, np.int32),
                                       image.shape)
    assert np.all(np.asarray(gi) == 0) and gi.shape == image.shape


def run_script(path, *args, env=None, timeout=300):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, path, *args], capture_output=True, text=True,
                          env=e, timeout=timeout)


def test_sharded_shard_map_and_custom_partitioning():
    """In a process with two CPU devices (the flag must precede JAX's start):
    shard_map with boxes split across devices, and plain jit over inputs
    sharded by boxes (custom_partitioning), against one device
    (jax_sharded.py says what exactly)."""
    done = run_script(os.path.join(HERE, "jax_sharded.py"),
                      env={"XLA_FLAGS": "--xla_force_host_platform_device_count=2"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "jax_sharded: all checks passed" in done.stdout, done.stdout


def test_example_converges():
    done = run_script(os.path.join(ROOT, "examples", "python", "fit_boxes_jax.py"))
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("converged"), done.stdout


# --------------------------------------------------------------------------------------
# On a GPU (scripts/gpu_check.sh; never run yet: no GPU has been lent to this project)


def gpu_devices():
    try:
        return jax.devices("gpu")
    except RuntimeError:
        return []


@pytest.mark.skipif(not gpu_devices(), reason="JAX has no GPU backend here")
def test_cuda_handlers_compute_on_the_gpu():
    """On a JAX GPU device the custom calls run crgb's CUDA handlers on XLA's
    stream: the results stay on that device, the box gradient within
    problems.tolerance (float32 rounding relative to the sum of absolute
    contributions) of the CPU reference, the forward op within 1e-6 of the
    image's largest magnitude (the same float32 lerps in TensorFlow's order)."""
    if not any(v.name.startswith("cuda") for v in crgb.variants(available_only=True)):
        pytest.skip("crgb has no available CUDA variant here")
    gpu = gpu_devices()[0]
    image, boxes, box_ind = case(90, "float32", num_boxes=7)
    crop = (5, 4)
    on_gpu = [jax.device_put(a, gpu) for a in (image, boxes, box_ind)]
    crops = jax.jit(lambda i, b, k: cj.crop_and_resize_raw(i, b, k, crop))(*on_gpu)
    assert crops.devices() == {gpu}
    want = crgb.crop_and_resize(image, boxes, box_ind, crop, variant="reference")
    assert np.all(np.abs(np.asarray(crops) - want) <= 1e-6 * max(1.0, np.abs(image).max()))
    grads = problems.rng(91).standard_normal(want.shape).astype(np.float32)
    got = jax.jit(cj.crop_and_resize_grad_boxes)(jax.device_put(grads, gpu), *on_gpu)
    assert got.devices() == {gpu}
    p = problems.Problem(grads, image, boxes, box_ind)
    want_gb = crgb.crop_and_resize_grad_boxes(*p.args(), variant="reference")
    assert np.all(np.abs(np.asarray(got) - want_gb) <= problems.tolerance(p))
