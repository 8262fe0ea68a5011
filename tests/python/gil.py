"""Whether a crgb call releases the GIL, measured from Python: while another
thread makes a few long calls, this thread keeps stamping the clock. With the
GIL released its longest pause is far shorter than one call; with the GIL held
it would stop for whole calls."""

import threading
import time

import numpy as np


def longest_pause(call, calls=3):
    """(this thread's longest pause while another makes `calls` calls, one call's time)"""
    t0 = time.perf_counter()
    call()
    duration = time.perf_counter() - t0
    assert duration > 0.02, "the call is too short to tell"
    done = threading.Event()

    def work():
        for _ in range(calls):
            call()
        done.set()

    worker = threading.Thread(target=work)
    stamps = [time.perf_counter()]
    worker.start()
    while not done.is_set():
        stamps.append(time.perf_counter())
    worker.join()
    return float(np.max(np.diff(stamps))), duration


def assert_releases_the_gil(call, calls=3, tries=3):
    """Fails unless, in one of `tries` tries, the longest pause is under half a
    call. Several tries: on a loaded machine this thread may be descheduled for
    a while, whereas with the GIL held every try would stop for whole calls."""
    seen = []
    for _ in range(tries):
        seen.append(longest_pause(call, calls))
        if seen[-1][0] < 0.5 * seen[-1][1]:
            return
    raise AssertionError(f"(longest pause, one call) in seconds: {seen}")
