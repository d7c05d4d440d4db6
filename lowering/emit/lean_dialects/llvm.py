"""No op classes for `llvm`: its ops, which the compiler only moves around, are plain
`OpView`s."""
