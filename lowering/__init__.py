"""The compiler: Python source to MLIR to machine code."""
