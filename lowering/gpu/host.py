"""Host code of the CUDA pipeline: which buffers live on the device, and how host code
reaches them.

Device memory: the tensors of the ABI (the caller passes device pointers) and every buffer
the kernel allocates for tensor data. Host memory: scalar results (`memref<f64>`/`memref<i64>`
slots the caller owns), `memref.alloca`s (e.g. the dims array of a printed tensor) and the
index / ownership arrays that `bufferization-lower-deallocations` builds for its
`dealloc_helper` (an `index` element type, or passed to a `func.call`).

Rewrites, all in the implementation function:
- device `memref.alloc` / `memref.dealloc` -> `gpu.alloc async` / `gpu.dealloc async` on the
  call's stream (`gpu.wait async` at the top: the shim's `mgpuStreamCreate` returns the stream
  the runtime set for this call);
- host `memref.load` / `memref.store` of device memory -> a one-element host staging buffer
  (`memref.alloca` in the entry block) and `mgpuMemcpy` of the element's address;
- the data pointer handed to the `print_tensor` hook -> a host copy (malloc'd, freed after the
  hook returns).
"""

from __future__ import annotations

from typing import Iterator

from mlir import ir
from mlir.dialects import arith, func, gpu, llvm, memref

from lowering.mlir_ops import defining_op, user_op

_VIEWS = frozenset({"memref.cast", "memref.subview", "memref.expand_shape",
                    "memref.collapse_shape", "memref.reinterpret_cast",
                    "memref.extract_strided_metadata", "memref.reshape", "memref.transpose"})

MEMCPY = "mgpuMemcpy"
_DECLS = f"llvm.func @{MEMCPY}(!llvm.ptr, !llvm.ptr, i64, !llvm.ptr)"


def host_allocs(impl: ir.Operation) -> set[ir.Operation]:
    """The `memref.alloc`s of the function that hold host data (see the module doc)."""
    out: set[ir.Operation] = set()
    for op in walk(impl):
        if op.name != "memref.alloc":
            continue
        mt = ir.MemRefType(op.results[0].type)
        if isinstance(mt.element_type, ir.IndexType) or _reaches_call(op.results[0]):
            out.add(op)
    return out


def _reaches_call(v: ir.Value) -> bool:
    for use in v.uses:
        user = user_op(use)
        if user.name == "func.call":
            return True
        if user.name in _VIEWS and any(_reaches_call(r) for r in user.results):
            return True
    return False


def walk(op: ir.Operation) -> Iterator[ir.Operation]:
    """Every op nested in `op` (pre-order), not descending into linalg ops or launches."""
    for region in op.regions:
        for block in region.blocks:
            for nested in block.operations:
                n = nested.operation
                yield n
                if not n.name.startswith("linalg.") and n.name != "gpu.launch":
                    yield from walk(n)


def root_of(v: ir.Value) -> ir.Value:
    """The buffer a memref value views (through casts, subviews, reshapes)."""
    op = defining_op(v)
    while op is not None and op.name in _VIEWS:
        v = op.operands[0]
        op = defining_op(v)
    return v


class HostRewriter:
    """Applies the rewrites of the module doc to one implementation function."""

    def __init__(self, module: ir.Module, impl: ir.Operation, host_args: set[int]) -> None:
        self.module = module
        self.impl = impl
        self.entry = impl.regions[0].blocks[0]
        self.host_roots: set[ir.Value] = {self.entry.arguments[i] for i in host_args}
        for op in host_allocs(impl):
            self.host_roots.add(op.results[0])
        first = self.entry.operations[0]
        with ir.InsertionPoint(first), impl.location:
            wait = gpu.WaitOp(gpu.AsyncTokenType.get(), [])
            self.token = wait.results[0]
            ptr = llvm.PointerType.get()
            self.stream = ir.Operation.create("builtin.unrealized_conversion_cast",
                                              results=[ptr], operands=[self.token]).results[0]
        self.first = first

    def is_device(self, v: ir.Value) -> bool:
        root = root_of(v)
        if root in self.host_roots:
            return False
        op = defining_op(root)
        if op is not None and op.name in ("memref.alloca", "memref.get_global"):
            return False
        return not isinstance(ir.MemRefType(v.type).element_type, ir.IndexType)

    def run(self) -> None:
        """Rewrite the function (in place)."""
        with self.impl.location:
            self._run()

    def _run(self) -> None:
        self._declare()
        ops = list(walk(self.impl))
        for op in ops:
            if op.name == "memref.alloc" and self.is_device(op.results[0]):
                self._alloc(op)
            elif op.name == "memref.dealloc" and self.is_device(op.operands[0]):
                self._dealloc(op)
            elif op.name == "memref.load" and self.is_device(op.operands[0]):
                self._load(op)
            elif op.name == "memref.store" and self.is_device(op.operands[1]):
                self._store(op)
            elif op.name == "memref.copy":
                raise NotImplementedError("memref.copy in host code (expected linalg.copy)")
        for op in list(walk(self.impl)):
            if op.name == "func.call" and str(op.attributes["callee"]).endswith(
                    "__print_tensor"):
                self._print_tensor(op)

    def _declare(self) -> None:
        names = {str(ir.StringAttr(o.attributes["sym_name"]).value)
                 for o in self.module.body.operations if "sym_name" in o.attributes}
        if MEMCPY not in names:
            decl = ir.Module.parse(_DECLS, self.module.context)
            for o in list(decl.body.operations):
                self.module.body.append(o)

    def _alloc(self, op: ir.Operation) -> None:
        mt = ir.MemRefType(op.results[0].type)
        plain = ir.MemRefType.get(mt.shape, mt.element_type)
        with ir.InsertionPoint(op), op.location:
            new = gpu.AllocOp(plain, gpu.AsyncTokenType.get(), [self.token],
                              list(op.operands), [])
            value = new.results[0]
            if plain != mt:
                value = memref.CastOp(mt, value).result
        op.results[0].replace_all_uses_with(value)
        op.erase()

    def _dealloc(self, op: ir.Operation) -> None:
        with ir.InsertionPoint(op), op.location:
            gpu.DeallocOp(gpu.AsyncTokenType.get(), [self.token], op.operands[0])
        op.erase()

    def _staging(self, elem: ir.Type) -> ir.Value:
        with ir.InsertionPoint(self.first), self.impl.location:
            return memref.AllocaOp(ir.MemRefType.get([1], elem), [], []).result

    def _copy(self, dst: ir.Value, src: ir.Value, nbytes: ir.Value) -> None:
        i64 = ir.IntegerType.get_signless(64)
        n = arith.IndexCastOp(i64, nbytes).result if isinstance(nbytes.type, ir.IndexType) \
            else nbytes
        llvm.CallOp(None, [dst, src, n, self.stream], [], ir.DenseI32ArrayAttr.get([]),
                    callee=ir.FlatSymbolRefAttr.get(MEMCPY))

    def _load(self, op: ir.Operation) -> None:
        mem, idx = op.operands[0], list(op.operands)[1:]
        elem = ir.MemRefType(mem.type).element_type
        stage = self._staging(elem)
        with ir.InsertionPoint(op), op.location:
            self._copy(pointer(stage), element_address(mem, idx), _index(byte_size(elem)))
            value = memref.LoadOp(stage, [_index(0)]).result
        op.results[0].replace_all_uses_with(value)
        op.erase()

    def _store(self, op: ir.Operation) -> None:
        value, mem, idx = op.operands[0], op.operands[1], list(op.operands)[2:]
        elem = ir.MemRefType(mem.type).element_type
        stage = self._staging(elem)
        with ir.InsertionPoint(op), op.location:
            memref.StoreOp(value, stage, [_index(0)])
            self._copy(element_address(mem, idx), pointer(stage), _index(byte_size(elem)))
        op.erase()

    def _print_tensor(self, call: ir.Operation) -> None:
        """Operand 3 of the hook is the data pointer (an i64 from the aligned pointer)."""
        cast = defining_op(call.operands[3])
        if cast is None or cast.name != "arith.index_cast":
            raise NotImplementedError("print_tensor data is not an index_cast of a pointer")
        extract = defining_op(cast.operands[0])
        if extract is None or extract.name != "memref.extract_aligned_pointer_as_index":
            raise NotImplementedError("print_tensor data is not a buffer's pointer")
        buf = extract.operands[0]
        if not self.is_device(buf):
            return
        mt = ir.MemRefType(buf.type)
        with ir.InsertionPoint(call), call.location:
            dims = [memref.DimOp(buf, _index(d)).result for d, s in enumerate(mt.shape)
                    if s == ir.ShapedType.get_dynamic_size()]
            host = memref.AllocOp(ir.MemRefType.get(mt.shape, mt.element_type), dims, []).result
            count = _index(byte_size(mt.element_type))
            for d in range(mt.rank):
                count = arith.MulIOp(count, memref.DimOp(buf, _index(d)).result).result
            self._copy(pointer(host), element_address(buf, [_index(0)] * mt.rank), count)
            i64 = ir.IntegerType.get_signless(64)
            ptr = memref.ExtractAlignedPointerAsIndexOp(host).result
            call.operands[3] = arith.IndexCastOp(i64, ptr).result
        with ir.InsertionPoint.after(call), call.location:
            memref.DeallocOp(host)


def _index(v: int) -> ir.Value:
    return arith.ConstantOp(ir.IndexType.get(), v).result


def byte_size(elem: ir.Type) -> int:
    """Bytes per element of a device buffer (integers and floats; `i1` is stored as `i8`)."""
    if isinstance(elem, ir.IntegerType):
        return max(1, int(elem.width) // 8)
    if isinstance(elem, ir.FloatType):
        return int(elem.width) // 8
    raise NotImplementedError(f"no device layout for element type {elem}")


def pointer(mem: ir.Value) -> ir.Value:
    """The aligned pointer of a memref as `!llvm.ptr`."""
    i64 = ir.IntegerType.get_signless(64)
    raw = memref.ExtractAlignedPointerAsIndexOp(mem).result
    return llvm.IntToPtrOp(llvm.PointerType.get(), arith.IndexCastOp(i64, raw).result).result


def element_address(mem: ir.Value, idx: list[ir.Value]) -> ir.Value:
    """The address of `mem[idx]` as `!llvm.ptr` (offset and strides from its metadata)."""
    mt = ir.MemRefType(mem.type)
    meta = memref.ExtractStridedMetadataOp(mem)
    results = list(meta.results)
    base, offset = results[0], results[1]
    strides = results[2 + mt.rank:]
    lin = offset
    for i, s in zip(idx, strides):
        lin = arith.AddIOp(lin, arith.MulIOp(i, s).result).result
    nbytes = arith.MulIOp(lin, _index(byte_size(mt.element_type))).result
    i64 = ir.IntegerType.get_signless(64)
    raw = memref.ExtractAlignedPointerAsIndexOp(base).result
    addr = arith.AddIOp(raw, nbytes).result
    return llvm.IntToPtrOp(llvm.PointerType.get(), arith.IndexCastOp(i64, addr).result).result


__all__ = ["HostRewriter", "host_allocs", "walk", "root_of", "func"]
