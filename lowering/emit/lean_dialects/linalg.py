"""The `linalg` op classes, without the opdsl helpers of `mlir.dialects.linalg`."""

from mlir.dialects._linalg_ops_gen import _Dialect

__all__ = ["_Dialect"]
