"""The kernel's MLIR module: the implementation function, the hook trampolines and the
exported entry point that unpacks the ABI's argument slots (`dsl._runtime.abi`).

The entry and the trampolines are the ABI glue: they are written as MLIR text in the `func`
and `llvm` dialects (descriptors of memrefs are built from raw pointers and sizes, which the
builder API has no short spelling for) and parsed into the module; everything the user wrote
is emitted by the builders in `lowering.emit`.
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, bufferization, func, memref, scf

from dsl._runtime.abi import HOOK_NAMES, KernelABI
from lowering import tir
from lowering.emit import lean_dialects
from lowering.emit.context import (Env, dims_of, element_type, i64_const, index_const,
                                   location, tensor_type)
from lowering.emit.exprs import ExprEmitter
from lowering.emit.stmts import StmtEmitter
from lowering.structure import STATUS, retval_name
from typecheck.dtypes import DType
from typecheck.values import ScalarV, TensorV, Value

_HOOK_ARITY = {"print_scalar": 3, "print_tensor": 5, "print_end": 1, "error": 3}
_SCALAR_MLIR = {"int": "i64", "float": "f64", "bool": "i1"}


def _loc_text(loc: tir.SourceLoc) -> str:
    file = loc.file.replace("\\", "\\\\").replace('"', '\\"')
    return f'loc("{file}":{loc.line}:{loc.col})'


def _memref_text(dtype: str, rank: int) -> str:
    elem = str(element_type(DType(dtype)))
    return "memref<" + "?x" * rank + elem + ">"


def glue_text(abi: KernelABI, loc: tir.SourceLoc, impl_type: str) -> str:
    """The hooks table, the trampolines and the exported entry, as MLIR text."""
    sym = abi.symbol
    n = len(HOOK_NAMES)
    lines = [f"llvm.mlir.global external @{abi.hooks_symbol}() {{addr_space = 0 : i32}} : "
             f"!llvm.array<{n} x ptr> {{",
             f"  %z = llvm.mlir.zero : !llvm.array<{n} x ptr>",
             f"  llvm.return %z : !llvm.array<{n} x ptr>", "}"]
    for k, name in enumerate(HOOK_NAMES):
        arity = _HOOK_ARITY[name]
        params = ", ".join(f"%a{i}: i64" for i in range(arity))
        args = ", ".join(f"%a{i}" for i in range(arity))
        types = ", ".join(["i64"] * arity)
        lines += [
            f"func.func private @{sym}__{name}({params}) {{",
            f"  %t = llvm.mlir.addressof @{abi.hooks_symbol} : !llvm.ptr",
            f"  %p = llvm.getelementptr %t[0, {k}] : (!llvm.ptr) -> !llvm.ptr, "
            f"!llvm.array<{n} x ptr>",
            "  %f = llvm.load %p : !llvm.ptr -> !llvm.ptr",
            "  %null = llvm.mlir.zero : !llvm.ptr",
            '  %ok = llvm.icmp "ne" %f, %null : !llvm.ptr',
            "  scf.if %ok {",
            f"    llvm.call %f({args}) : !llvm.ptr, ({types}) -> ()",
            "  }",
            "  return",
            "}"]
    decl = impl_type.replace("(", "(", 1)
    lines.append(f"func.func private @{sym}__impl{decl}")
    lines += _entry_lines(abi, impl_type)
    return "\n".join(_located(line, _loc_text(loc)) for line in lines)


def _located(line: str, loc: str) -> str:
    """The line with the kernel's location on the op it ends (lines opening a region get it
    after their closing brace)."""
    body = line.rstrip()
    if not body or body.endswith("{"):
        return line
    return f"{body} {loc}"


def _entry_lines(abi: KernelABI, impl_type: str) -> list[str]:
    body: list[str] = []
    args: list[str] = []
    slot = 0
    counter = [0]

    def fresh(prefix: str) -> str:
        counter[0] += 1
        return f"%{prefix}{counter[0]}"

    def load(ty: str) -> str:
        nonlocal slot
        p = fresh("sp")
        v = fresh("sv")
        body.append(f"  {p} = llvm.getelementptr %packed[{slot}] : (!llvm.ptr) -> !llvm.ptr, i64")
        body.append(f"  {v} = llvm.load {p} : !llvm.ptr -> {ty}")
        slot += 1
        return v

    def descriptor(ptr: str, sizes: list[str], mtype: str) -> str:
        r = len(sizes)
        st = (f"!llvm.struct<(ptr, ptr, i64, array<{r} x i64>, array<{r} x i64>)>" if r
              else "!llvm.struct<(ptr, ptr, i64)>")
        d = fresh("d")
        body.append(f"  {d} = llvm.mlir.poison : {st}")
        zero = fresh("c")
        body.append(f"  {zero} = llvm.mlir.constant(0 : i64) : i64")
        for k, v in enumerate([ptr, ptr, zero]):
            nd = fresh("d")
            body.append(f"  {nd} = llvm.insertvalue {v}, {d}[{k}] : {st}")
            d = nd
        strides: list[str] = [""] * r
        if r:
            one = fresh("c")
            body.append(f"  {one} = llvm.mlir.constant(1 : i64) : i64")
            strides[r - 1] = one
            for k in range(r - 2, -1, -1):
                s = fresh("s")
                body.append(f"  {s} = llvm.mul {strides[k + 1]}, {sizes[k + 1]} : i64")
                strides[k] = s
        for k in range(r):
            nd = fresh("d")
            body.append(f"  {nd} = llvm.insertvalue {sizes[k]}, {d}[3, {k}] : {st}")
            d = nd
            nd = fresh("d")
            body.append(f"  {nd} = llvm.insertvalue {strides[k]}, {d}[4, {k}] : {st}")
            d = nd
        m = fresh("m")
        body.append(f"  {m} = builtin.unrealized_conversion_cast {d} : {st} to {mtype}")
        return m

    for p in abi.params:
        if p.kind == "tensor":
            ptr = load("!llvm.ptr")
            sizes = [load("i64") for _ in range(p.rank)]
            args.append(descriptor(ptr, sizes, _memref_text(p.dtype, p.rank)))
        else:
            v = load("i64")
            if p.kind == "float":
                f = fresh("f")
                body.append(f"  {f} = llvm.bitcast {v} : i64 to f64")
                v = f
            elif p.kind == "bool":
                b = fresh("b")
                body.append(f"  {b} = llvm.trunc {v} : i64 to i1")
                v = b
            args.append(v)
    for r in abi.results:
        ptr = load("!llvm.ptr")
        if r.kind == "tensor":
            sizes = [load("i64") for _ in r.shape]
            args.append(descriptor(ptr, sizes, _memref_text(r.dtype, len(r.shape))))
        else:
            mt = "memref<f64>" if r.kind == "float" else "memref<i64>"
            args.append(descriptor(ptr, [], mt))
    st = fresh("st")
    body.append(f"  {st} = func.call @{abi.symbol}__impl({', '.join(args)}) : {impl_type}")
    body.append(f"  return {st} : i32")
    return [f"func.func @{abi.symbol}(%packed: !llvm.ptr) -> i32 {{"] + body + ["}"]


__all__ = ["glue_text", "Env", "ExprEmitter", "StmtEmitter", "arith", "bufferization", "func",
           "memref", "scf", "dims_of", "i64_const", "index_const", "location", "tensor_type",
           "STATUS", "retval_name", "ScalarV", "TensorV", "Value"]


def _impl_arg_types(fn: tir.Function, abi: KernelABI) -> list[ir.Type]:
    dyn = ir.ShapedType.get_dynamic_size()
    types: list[ir.Type] = []
    for (_, v), p in zip(fn.params, abi.params):
        if p.kind == "tensor":
            types.append(ir.MemRefType.get([dyn] * p.rank, element_type(DType(p.dtype))))
        else:
            types.append(ir.Type.parse(_SCALAR_MLIR[p.kind]))
    for r in abi.results:
        if r.kind == "tensor":
            types.append(ir.MemRefType.get([dyn] * len(r.shape), element_type(DType(r.dtype))))
        else:
            types.append(ir.MemRefType.get([], ir.F64Type.get() if r.kind == "float"
                                           else ir.IntegerType.get_signless(64)))
    return types


def emit_module(fn: tir.Function, abi: KernelABI, results: list[Value], result_site: int
                ) -> ir.Module:
    """The whole module for one kernel specialisation (inside an active `ir.Context`)."""
    lean_dialects.install()
    with location(fn.loc):
        module = ir.Module.create()
        arg_types = _impl_arg_types(fn, abi)
        i32 = ir.IntegerType.get_signless(32)
        impl_t = ir.FunctionType.get(arg_types, [i32])
        with ir.InsertionPoint(module.body):
            impl = func.FuncOp(f"{abi.symbol}__impl", impl_t)
            impl.attributes["sym_visibility"] = ir.StringAttr.get("private")
            block = impl.add_entry_block()
        glue = ir.Module.parse(glue_text(abi, fn.loc, str(impl_t)))
        for op in list(glue.body.operations):
            if ir.StringAttr(op.attributes["sym_name"]).value != f"{abi.symbol}__impl":
                module.body.append(op)
        with ir.InsertionPoint(block):
            _emit_body(fn, abi, results, result_site, list(block.arguments))
    return module


def _emit_body(fn: tir.Function, abi: KernelABI, results: list[Value], result_site: int,
               args: list[ir.Value]) -> None:
    env = Env()
    params = args[:len(fn.params)]
    outs = args[len(fn.params):]
    for (name, v), p, a in zip(fn.params, abi.params, params):
        if p.kind == "tensor":
            assert isinstance(v, TensorV)
            env.values[name] = bufferization.ToTensorOp(
                tensor_type(v), a, restrict=True, writable=p.written).result
        else:
            env.values[name] = a
    ex = ExprEmitter(env)
    sym = abi.symbol

    def hook(name: str, values: list[ir.Value]) -> None:
        func.CallOp([], ir.FlatSymbolRefAttr.get(f"{sym}__{name}"), values)
    st = StmtEmitter(ex, hook)
    st.block(fn.body)
    for (name, v), p, a in zip(fn.params, abi.params, params):
        if p.written:
            final = env.values[name]
            bufferization.MaterializeInDestinationOp(None, final, a, restrict=True,
                                                     writable=True)
    status = env.values[STATUS]
    assert isinstance(status, ir.Value)
    ok = arith.CmpIOp(arith.CmpIPredicate.eq, status, i64_const(0)).result
    if_op = scf.IfOp(ok, [status.type], has_else=True)
    with ir.InsertionPoint(if_op.then_block):
        scf.YieldOp([_store_results(env, results, outs, result_site, hook)])
    with ir.InsertionPoint(if_op.else_block):
        scf.YieldOp([status])
    final_status = arith.TruncIOp(ir.IntegerType.get_signless(32), if_op.results[0]).result
    func.ReturnOp([final_status])


def _store_results(env: Env, results: list[Value], outs: list[ir.Value], result_site: int,
                   hook: object) -> ir.Value:
    """Write the results into the caller's buffers after checking tensor sizes; the status."""
    status = i64_const(0)
    for k, (t, out) in enumerate(zip(results, outs)):
        v = env.values[retval_name(k)]
        assert isinstance(v, ir.Value)
        if isinstance(t, TensorV):
            same = arith.ConstantOp(ir.IntegerType.get_signless(1), 1).result
            bad_a, bad_b = i64_const(0), i64_const(0)
            for d, size in enumerate(dims_of(v)):
                want = memref.DimOp(out, index_const(d)).result
                eq = arith.CmpIOp(arith.CmpIPredicate.eq, size, want).result
                same = arith.AndIOp(same, eq).result
            write = scf.IfOp(same, [status.type], has_else=True)
            with ir.InsertionPoint(write.then_block):
                bufferization.MaterializeInDestinationOp(None, v, out, restrict=True,
                                                         writable=True)
                scf.YieldOp([status])
            with ir.InsertionPoint(write.else_block):
                hook("error", [i64_const(result_site), bad_a, bad_b])  # type: ignore[operator]
                scf.YieldOp([i64_const(result_site)])
            status = arith.MaxSIOp(status, write.results[0]).result
        else:
            assert isinstance(t, ScalarV)
            value = v
            if t.kind == "bool":
                value = arith.ExtUIOp(ir.IntegerType.get_signless(64), v).result
            memref.StoreOp(value, out, [])
    return status
