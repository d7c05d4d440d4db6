"""The shape/dtype algebra (pure Python) and the mypy plugin (`typecheck.mypy_plugin`).

Nothing in this package imports mypy except `typecheck.mypy_plugin`, so the compiler and the
eager runtime can use the same algebra without mypy installed at run time.
"""
