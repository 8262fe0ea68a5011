"""Several Python threads at once: the GIL is released while crgb computes,
and every result equals the single-threaded one bit for bit."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

import crgb
import gil
import problems


def test_concurrent_calls_equal_sequential_ones():
    r = problems.rng(1)
    names = [None] + [v.name for v in crgb.variants(available_only=True)]
    jobs = []
    for i in range(48):
        dtype = problems.DTYPES[i % len(problems.DTYPES)]
        variant = names[i % len(names)]
        if not problems.built_for(variant, dtype):
            variant = None
        jobs.append((problems.random_problem(r, dtype, min_boxes=1), variant))

    def run(job):
        p, variant = job
        return crgb.crop_and_resize_grad_boxes(*p.args(), variant=variant)

    want = [run(job) for job in jobs]
    for _ in range(3):
        with ThreadPoolExecutor(max_workers=8) as pool:
            got = list(pool.map(run, jobs * 2))
        for g, w in zip(got, want * 2):
            np.testing.assert_array_equal(g.view(np.uint32), w.view(np.uint32))


def test_errors_in_threads_stay_in_their_thread():
    r = problems.rng(2)
    p = problems.random_problem(r, "float32", min_boxes=1)
    bad = p.box_ind + p.image.shape[0]

    def run(i):
        if i % 2:
            try:
                crgb.crop_and_resize_grad_boxes(*p.args()[:3], bad)
            except crgb.OutOfRangeError as e:
                return str(e)
        return crgb.crop_and_resize_grad_boxes(*p.args())

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(run, range(60)))
    want = crgb.crop_and_resize_grad_boxes(*p.args())
    for i, res in enumerate(results):
        if i % 2:
            assert res == "box_index has values outside [0, batch_size)"
        else:
            np.testing.assert_array_equal(res, want)


def test_the_gil_is_released_while_computing():
    """While another thread runs long reference-variant calls, this one keeps
    running Python: its longest pause is far shorter than one call. (Were the
    GIL held, it would stop for each whole call.)"""
    r = problems.rng(3)
    n, crop, depth = 96, 32, 128  # 12.6M terms, about 50 MB of grads
    args = (r.standard_normal((n, crop, crop, depth)).astype(np.float32),
            r.standard_normal((1, 48, 48, depth)).astype(np.float32),
            r.uniform(0, 1, (n, 4)).astype(np.float32),
            np.zeros(n, np.int32))

    def call():
        return crgb.crop_and_resize_grad_boxes(*args, variant="reference")

    gil.assert_releases_the_gil(call, calls=4)
