"""Statements of the (structured) typed IR to MLIR: scf control flow, index assignment,
`print` and failing checks through the runtime hooks."""

from __future__ import annotations

from typing import Callable

from mlir import ir
from mlir.dialects import arith, bufferization, func, memref, scf, tensor

from lowering import tir
from lowering.emit import linalg_ops as linalg
from lowering.emit import scalars
from lowering.emit.context import (SSA, dims_of, element_type, empty, i64_const, index_const,
                                   location, to_i64, to_index)
from lowering.emit.exprs import ExprEmitter, known_ones
from lowering.emit.generic import PARALLEL, affine_map, broadcast_map, generic
from lowering.emit.ops_index import slice_parts
from lowering.emit.ops_shape import insert_slice
from typecheck.dtypes import DType
from typecheck.values import ScalarV, TensorV

_DTYPE_CODES = {DType.float16: 0, DType.bfloat16: 1, DType.float32: 2, DType.float64: 3,
                DType.int8: 4, DType.int32: 5, DType.int64: 6, DType.bool: 7}


def assigned(stmts: list[tir.Stmt]) -> list[str]:
    """Variables a block may assign (in first-assignment order, nested blocks included)."""
    out: dict[str, None] = {}
    for s in stmts:
        if isinstance(s, (tir.Assign, tir.SetItem)):
            out[s.name] = None
        elif isinstance(s, tir.Fail):
            out["%status"] = None
        elif isinstance(s, tir.If):
            for n in assigned(s.then) + assigned(s.orelse):
                out[n] = None
        elif isinstance(s, tir.For):
            for n in assigned(s.body):
                out[n] = None
        elif isinstance(s, tir.While):
            for n in assigned(s.body):
                out[n] = None
    return list(out)


def _flatten(v: SSA) -> list[ir.Value]:
    if isinstance(v, tuple):
        return [x for item in v for x in _flatten(item)]
    return [v]


def _unflatten(template: SSA, values: list[ir.Value], pos: int = 0) -> tuple[SSA, int]:
    if isinstance(template, tuple):
        items = []
        for t in template:
            item, pos = _unflatten(t, values, pos)
            items.append(item)
        return tuple(items), pos
    return values[pos], pos + 1


def _placeholder_ok(t: ir.Type) -> bool:
    return isinstance(t, (ir.IntegerType, ir.IndexType, ir.FloatType, ir.RankedTensorType))


def _placeholder(t: ir.Type) -> ir.Value:
    """A value of type `t` for a path on which a variable is never read (zeros; an empty
    tensor with 0 for each dynamic dim)."""
    if isinstance(t, ir.RankedTensorType):
        rt = t
        dyn = ir.ShapedType.get_dynamic_size()
        sizes: list[int | ir.Value] = [index_const(0) if d == dyn else d for d in rt.shape]
        result: ir.Value = tensor.EmptyOp(sizes, rt.element_type).result
        return result
    if isinstance(t, ir.FloatType):
        return arith.ConstantOp(t, 0.0).result
    return arith.ConstantOp(t, 0).result


class StmtEmitter:
    """Emits a block of statements into the current insertion point."""

    def __init__(self, ex: ExprEmitter, hook: Callable[[str, list[ir.Value]], None]) -> None:
        self.ex = ex
        self.hook = hook

    @property
    def env(self) -> dict[str, SSA]:
        return self.ex.env.values

    def block(self, stmts: list[tir.Stmt]) -> None:
        for s in stmts:
            with location(s.loc):
                self.stmt(s)

    def stmt(self, s: tir.Stmt) -> None:
        if isinstance(s, tir.Assign):
            self.env[s.name] = self.ex.emit(s.value)
        elif isinstance(s, tir.If):
            self.if_(s)
        elif isinstance(s, tir.For):
            self.for_(s)
        elif isinstance(s, tir.While):
            self.while_(s)
        elif isinstance(s, tir.SetItem):
            self.setitem(s)
        elif isinstance(s, tir.Print):
            self.print_(s)
        elif isinstance(s, tir.Fail):
            a = to_i64(self.ex.value(s.a)) if s.a is not None else i64_const(0)
            b = to_i64(self.ex.value(s.b)) if s.b is not None else i64_const(0)
            self.hook("error", [i64_const(s.site), a, b])
            self.env["%status"] = i64_const(s.site)
        else:
            raise NotImplementedError(type(s).__name__)

    # --- control flow -------------------------------------------------------------------
    def _carried(self, names: list[str]) -> list[str]:
        return [n for n in names if n in self.env]

    def _run_region(self, stmts: list[tir.Stmt], carried: list[str]
                    ) -> tuple[list[ir.Value], dict[str, SSA]]:
        """Emit `stmts`; the flattened values of `carried` after them and the environment
        (the caller's environment is restored)."""
        saved = dict(self.env)
        self.block(stmts)
        env = dict(self.env)
        out = [x for n in carried for x in _flatten(self.env[n])]
        self.ex.env.values = saved
        return out, env

    def if_(self, s: tir.If) -> None:
        cond = self.ex.value(s.cond)
        then_names, else_names = assigned(s.then), assigned(s.orelse)
        carried = [n for n in dict.fromkeys(then_names + else_names) if n in self.env]
        # Variables first defined in a branch are results too: defined in both (the front end
        # lets them be read after the `if`), or in one only, which happens when
        # `lowering.structure` guards the rest of a block (`if not returned: ...`): the other
        # path has left the block, so a placeholder value is yielded there.
        new = [n for n in dict.fromkeys(then_names + else_names) if n not in self.env]
        if not new:
            templates = {n: self.env[n] for n in carried}
            types = [x.type for n in carried for x in _flatten(templates[n])]
            op = scf.IfOp(cond, types, has_else=True)
            with ir.InsertionPoint(op.then_block):
                scf.YieldOp(self._run_region(s.then, carried)[0])
            with ir.InsertionPoint(op.else_block):
                scf.YieldOp(self._run_region(s.orelse, carried)[0])
            self._rebind(carried, templates, list(op.results))
            return
        # The result types of new variables are known only once a branch is emitted: emit
        # both into a probe `scf.if` without results, then move the ops into the real one.
        probe = scf.IfOp(cond, [], has_else=True)
        with ir.InsertionPoint(probe.then_block):
            _, then_env = self._run_region(s.then, [])
        with ir.InsertionPoint(probe.else_block):
            _, else_env = self._run_region(s.orelse, [])
        templates = {n: self.env[n] for n in carried}
        for n in new:
            t = then_env.get(n, else_env.get(n))
            if t is not None and all(_placeholder_ok(x.type) for x in _flatten(t)):
                templates[n] = t
                carried.append(n)
        types = [x.type for n in carried for x in _flatten(templates[n])]
        op = scf.IfOp(cond, types, has_else=True)
        for src_block, dst_block, env in ((probe.then_block, op.then_block, then_env),
                                          (probe.else_block, op.else_block, else_env)):
            with ir.InsertionPoint(dst_block):
                vals: list[ir.Value] = []
                for n in carried:
                    if n in env:
                        vals += _flatten(env[n])
                    else:
                        vals += [_placeholder(x.type) for x in _flatten(templates[n])]
                term = scf.YieldOp(vals)
            for inner in list(src_block.operations):
                inner.operation.move_before(term)
        probe.operation.erase()
        self._rebind(carried, templates, list(op.results))

    def _rebind(self, carried: list[str], templates: dict[str, SSA], values: list[ir.Value]
                ) -> None:
        pos = 0
        for n in carried:
            self.env[n], pos = _unflatten(templates[n], values, pos)

    def for_(self, s: tir.For) -> None:
        start = to_index(self.ex.value(s.start))
        stop = to_index(self.ex.value(s.stop))
        step = to_index(self.ex.value(s.step))
        carried = self._carried([n for n in assigned(s.body) if n != s.var])
        templates = {n: self.env[n] for n in carried}
        inits = [x for n in carried for x in _flatten(templates[n])]
        loop = scf.ForOp(start, stop, step, inits)
        with ir.InsertionPoint(loop.body):
            saved = dict(self.env)
            self._rebind(carried, templates, list(loop.inner_iter_args))
            self.env[s.var] = to_i64(loop.induction_variable)
            self.block(s.body)
            out = [x for n in carried for x in _flatten(self.env[n])]
            self.ex.env.values = saved
            scf.YieldOp(out)
        self._rebind(carried, templates, list(loop.results))
        # Python leaves the loop variable at its last value.
        trips = arith.CeilDivSIOp(arith.SubIOp(stop, start).result, step).result
        last = arith.AddIOp(start, arith.MulIOp(
            arith.MaxSIOp(arith.SubIOp(trips, index_const(1)).result, index_const(0)).result,
            step).result).result
        self.env[s.var] = to_i64(last)

    def while_(self, s: tir.While) -> None:
        carried = self._carried(assigned(s.body))
        templates = {n: self.env[n] for n in carried}
        inits = [x for n in carried for x in _flatten(templates[n])]
        types = [v.type for v in inits]
        op = scf.WhileOp(types, inits)
        before = op.before.blocks.append(*types)
        after = op.after.blocks.append(*types)
        with ir.InsertionPoint(before):
            saved = dict(self.env)
            self._rebind(carried, templates, list(before.arguments))
            cond = self.ex.value(s.cond)
            scf.ConditionOp(cond, list(before.arguments))
            self.ex.env.values = saved
        with ir.InsertionPoint(after):
            saved = dict(self.env)
            self._rebind(carried, templates, list(after.arguments))
            self.block(s.body)
            out = [x for n in carried for x in _flatten(self.env[n])]
            self.ex.env.values = saved
            scf.YieldOp(out)
        self._rebind(carried, templates, list(op.results))

    # --- effects ------------------------------------------------------------------------
    def setitem(self, s: tir.SetItem) -> None:
        x = self.env[s.name]
        assert isinstance(x, ir.Value)
        assert isinstance(s.index, tir.TupleExpr)
        offsets, sizes, strides, dropped, _ = slice_parts(self.ex, s.index)
        elem = ir.RankedTensorType(x.type).element_type
        region = [z for z, d in zip(sizes, dropped) if not d]
        value = self.ex.value(s.value)
        vt = s.value.type
        if not region:
            scalar = value
            if isinstance(vt, TensorV):
                scalar = tensor.ExtractOp(value, [index_const(0)] * len(
                    vt.shape.prefix)).result
            idx = [o if isinstance(o, ir.Value) else index_const(o) for o in offsets]
            self.env[s.name] = tensor.InsertOp(scalars.convert(scalar, elem), x, idx).result
            return
        rsizes = [z if isinstance(z, ir.Value) else index_const(z) for z in region]
        if isinstance(vt, TensorV):
            src = self._broadcast(value, known_ones(vt), rsizes, elem)
        else:
            src = linalg.fill(scalars.convert(value, elem), outs=[empty(rsizes, elem)])
        self.env[s.name] = insert_slice(src, x, offsets, sizes, strides)

    def _broadcast(self, v: ir.Value, ones: list[bool], sizes: list[ir.Value],
                   elem: ir.Type) -> ir.Value:
        rank = len(sizes)
        init = empty(sizes, elem)
        in_map = broadcast_map(len(ones), rank, ones, [False] * rank)
        return generic([(v, in_map)], [(init, affine_map(rank, list(range(rank))))],
                       [PARALLEL] * rank, lambda a: [scalars.convert(a[0], elem)])[0]

    def print_(self, s: tir.Print) -> None:
        site = i64_const(s.site)
        for v_e in s.values:
            v = self.ex.value(v_e)
            t = v_e.type
            if isinstance(t, ScalarV):
                kind = {"int": 0, "float": 1, "bool": 2}[t.kind]
                if t.kind == "float":
                    bits = arith.BitcastOp(ir.IntegerType.get_signless(64), v).result
                else:
                    bits = to_i64(v)
                self.hook("print_scalar", [site, i64_const(kind), bits])
            else:
                assert isinstance(t, TensorV) and t.dtype is not None
                self._print_tensor(site, v, t)
        self.hook("print_end", [site])

    def _print_tensor(self, site: ir.Value, v: ir.Value, t: TensorV) -> None:
        assert t.dtype is not None
        sizes = dims_of(v)
        elem = element_type(t.dtype)
        copy = linalg.copy(v, outs=[empty(sizes, elem)])
        dyn = ir.ShapedType.get_dynamic_size()
        buf_t = ir.MemRefType.get([dyn] * len(sizes), elem)
        buf = bufferization.ToBufferOp(buf_t, copy, read_only=True).result
        data = to_i64(memref.ExtractAlignedPointerAsIndexOp(buf).result)
        i64 = ir.IntegerType.get_signless(64)
        dims = memref.AllocaOp(ir.MemRefType.get([max(len(sizes), 1)], i64), [], []).result
        for k, z in enumerate(sizes):
            memref.StoreOp(to_i64(z), dims, [index_const(k)])
        dims_ptr = to_i64(memref.ExtractAlignedPointerAsIndexOp(dims).result)
        self.hook("print_tensor", [site, i64_const(_DTYPE_CODES[t.dtype]),
                                   i64_const(len(sizes)), data, dims_ptr])


__all__ = ["StmtEmitter", "assigned", "func", "bufferization"]
