"""Property tests for the shape/dtype algebra in `typecheck/` (issue 2, item 7)."""
