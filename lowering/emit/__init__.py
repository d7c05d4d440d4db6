"""MLIR emission: the typed IR to func/arith/math/scf/tensor/linalg/bufferization."""
