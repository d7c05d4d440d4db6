"""No op classes for `linalg`: the emitters create its ops generically
(`lowering.emit.linalg_ops`), so they are plain `OpView`s."""
