"""Call a compiled model's C log-density the way nutpie does (for tests).

Not a test module: ``from c_calls import call_logp``.
"""

from __future__ import annotations

import ctypes

import numpy as np


def call_logp(compiled: object, data: dict[str, np.ndarray], x: np.ndarray) -> tuple:
    """Call the C log-density the way nutpie does: through its address and the data table."""
    nutpie_model = compiled.nutpie_model(data)  # type: ignore[attr-defined]
    function = ctypes.CFUNCTYPE(
        ctypes.c_int64,
        ctypes.c_uint64,
        ctypes.POINTER(ctypes.c_double),
        ctypes.POINTER(ctypes.c_double),
        ctypes.POINTER(ctypes.c_double),
        ctypes.c_void_p,
    )(nutpie_model.compiled_logp_func.address)
    x = np.ascontiguousarray(x, dtype=float)
    gradient = np.zeros_like(x)
    value = np.zeros(1)
    pointer = ctypes.POINTER(ctypes.c_double)
    code = function(
        len(x),
        x.ctypes.data_as(pointer),
        gradient.ctypes.data_as(pointer),
        value.ctypes.data_as(pointer),
        nutpie_model.user_data.ctypes.data,
    )
    return code, value[0], gradient
