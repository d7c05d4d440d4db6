"""The runtime that calls already-compiled kernels: no MLIR import anywhere in this package.

`abi` describes a compiled entry point (what the compiler writes next to the shared object),
`library` loads a shared object and builds the fast call path, `hooks` receives the kernel's
`print` output and error reports, `cache` keeps compiled kernels on disk.
"""
