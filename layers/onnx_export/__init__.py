"""Export to ONNX (needs the optional ``onnx`` package): :func:`export_onnx`.

>>> from layers.onnx_export import export_onnx
>>> export_onnx.__name__
'export_onnx'
"""

from .export import export_onnx

__all__ = ["export_onnx"]
