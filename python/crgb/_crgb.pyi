# Type stub of the nanobind extension (python/src/module.cpp).
from typing import Any, List, Optional, Tuple

import numpy as np
import numpy.typing as npt

MAX_RANK: int
FLOAT16: int
FLOAT32: int
FLOAT64: int
BFLOAT16: int

def grad_boxes(
    grads: Any,
    image: Any,
    boxes: Any,
    box_ind: Any,
    method: Optional[str] = "bilinear",
    variant: Optional[str] = None,
    image_bfloat16: bool = False,
) -> npt.NDArray[np.float32]: ...
def crop_and_resize(
    image: Any,
    boxes: Any,
    box_ind: Any,
    crop_size: Any,
    method: Optional[str] = "bilinear",
    extrapolation_value: float = 0.0,
    variant: Optional[str] = None,
    image_bfloat16: bool = False,
) -> npt.NDArray[np.float32]: ...
def grad_image(
    grads: Any,
    boxes: Any,
    box_ind: Any,
    image_size: Any,
    output_dtype: int,
    method: Optional[str] = "bilinear",
    variant: Optional[str] = None,
) -> npt.NDArray[Any]: ...  # bfloat16: its uint16 bits
def variants() -> List[Tuple[str, str, bool, bool, int]]: ...
def op_names() -> List[str]: ...
def selected_variant() -> str: ...
def set_num_threads(num_threads: int) -> int: ...
def version() -> str: ...
