"""The front end: a kernel's Python AST to the typed IR (`lowering.tir`), never running it."""
