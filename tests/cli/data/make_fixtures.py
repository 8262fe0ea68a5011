#!/usr/bin/env python3
"""Writes the .npz fixtures of tests/cli (run from anywhere with NumPy installed).

Each archive holds one array per dtype crgb reads, named by NumPy's dtype code
('u1', 'u2', 'i1', 'i2', 'i4', 'i8', 'f2', 'f4', 'f8'), each
np.arange(6).reshape(2, 3) in that dtype. savez.npz stores its entries,
savez_compressed.npz deflates them; both come from NumPy itself, so the tests
see exactly what NumPy writes (including its zip64 local headers).
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = ["u1", "u2", "i1", "i2", "i4", "i8", "f2", "f4", "f8"]


def main():
    arrays = {code: np.arange(6).reshape(2, 3).astype("<" + code) for code in DTYPES}
    np.savez(os.path.join(HERE, "savez.npz"), **arrays)
    np.savez_compressed(os.path.join(HERE, "savez_compressed.npz"), **arrays)


if __name__ == "__main__":
    main()
