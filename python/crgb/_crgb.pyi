# Type stub of the nanobind extension (python/src/module.cpp).
from typing import Any, List, Optional, Tuple

import numpy as np
import numpy.typing as npt

MAX_RANK: int

def grad_boxes(
    grads: Any,
    image: Any,
    boxes: Any,
    box_ind: Any,
    method: Optional[str] = "bilinear",
    variant: Optional[str] = None,
) -> npt.NDArray[np.float32]: ...
def variants() -> List[Tuple[str, str, bool, bool]]: ...
def selected_variant() -> str: ...
def set_num_threads(num_threads: int) -> int: ...
def version() -> str: ...
