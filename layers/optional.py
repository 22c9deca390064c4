"""Optional dependencies (onnx, onnxruntime, safetensors, torch): imported when a feature
needs them, with an error that says how to install them.

>>> require("json", "this example", "json").dumps([1])
'[1]'
"""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, feature: str, extra: str) -> ModuleType:
    """Import ``module`` for ``feature``, or raise an ImportError naming the pip extra
    ``extra`` (``pip install gradgate[extra]``) that provides it.

    >>> try:
    ...     require("no_such_package", "export_onnx", "onnx")
    ... except ImportError as err:
    ...     print(err)
    export_onnx needs the 'no_such_package' package: pip install gradgate[onnx]
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        top = module.split(".")[0]
        raise ImportError(f"{feature} needs the {top!r} package: pip install gradgate[{extra}]"
                          ) from err
