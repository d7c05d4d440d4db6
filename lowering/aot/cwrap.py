"""The C entry point of one exported kernel: its signature, its checks and its call.

For a kernel `k` in library `lib` the entry is

    int lib_k(<size parameters>, <per parameter>, <per result>);

* size parameters: one `int64_t` per dim name of the tensor annotations (`B`, `D` of
  `4*D`; `b__0`, `b__1` for a variadic `*b` of rank 2), in order of first appearance;
* a tensor: `T *x, const int64_t *x_sizes, const int64_t *x_strides` (`const T *` when the
  kernel only reads it). `x_sizes` NULL means "the annotated sizes" (only where every dim is
  named or literal); `x_strides` NULL means C-contiguous, otherwise element strides (any,
  negative and zero included, for a tensor the kernel reads; a tensor it writes cannot have a
  zero stride on a dim longer than 1). Non-contiguous tensors are staged through a copy;
* `int` -> `int64_t`, `float` -> `double`, `bool` -> `bool`, by value;
* each result: a tensor like a parameter (`out`, or `out0`, `out1`, ... for a tuple) that
  must have the annotated sizes; a scalar through `int64_t *`, `double *` or `bool *`.

The entry checks every size against the annotation (same name, same size; literal and
arithmetic dims evaluated in C) before anything is read, then calls the kernel's internal
entry (`dsl._runtime.abi`) and maps its status to a SHAPEKIT_ERR_* code. For target "cuda"
the data pointers are device pointers, a trailing `void *stream` is taken and the call runs
through `sk_cuda_run` (`lowering.aot.cudawrap`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dsl._runtime.abi import HOOK_NAMES, KernelABI, ParamSpec, PrintSite, ResultSpec
from lowering.aot.cruntime import EXCEPTION_CODES
from lowering.aot.names import CNames, c_string, dim_c, dim_specs
from typecheck.annotations import AnyDim, ExprDim, parse_shape

__all__ = ["CEntry", "TensorArg", "entry_for"]

C_TYPES = {"float16": "uint16_t", "bfloat16": "uint16_t", "float32": "float",
           "float64": "double", "int8": "int8_t", "int32": "int32_t", "int64": "int64_t",
           "bool": "bool"}
_SCALAR_C = {"int": "int64_t", "float": "double", "bool": "bool"}
_ESIZE = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "int8": 1, "int32": 4,
          "int64": 8, "bool": 1}


@dataclass
class TensorArg:
    """A tensor of the C signature: a parameter or a result."""

    who: str                      # "argument 'x'" / "the result" / "result 1"
    name: str                     # C name of the data pointer
    dtype: str
    dims: list[tuple[str, str | None, str]]   # per axis: (annotation text, C expr, check)
    mode: str                     # SK_READ, SK_INOUT, SK_WRITE

    @property
    def sizes(self) -> str:
        """The C name of its sizes parameter."""
        return f"{self.name}_sizes"

    @property
    def strides(self) -> str:
        """The C name of its strides parameter."""
        return f"{self.name}_strides"


@dataclass
class CEntry:
    """One kernel's C entry: declaration, documentation and definition."""

    name: str
    prototype: str
    doc: list[str]
    code: str
    size_params: list[str] = field(default_factory=list)


def _param_tensor(p: ParamSpec, names: CNames, env: dict[str, str]) -> TensorArg:
    dims: list[tuple[str, str | None, str]] = []
    for text, spec in dim_specs(p.annotation, p.rank):
        if isinstance(spec, ExprDim):
            for sym in sorted(spec.dim.free_symbols()):
                if sym not in env:
                    env[sym] = names.take(sym, "dim")
            dims.append((text, dim_c(spec.dim, env), "bcast" if spec.broadcastable else "eq"))
        else:
            dims.append((text, None, "any"))
    mode = "SK_INOUT" if p.written else "SK_READ"
    return TensorArg(f"argument '{p.name}'", names.take(p.name), p.dtype, dims, mode)


def _result_tensor(r: ResultSpec, who: str, cname: str, env: dict[str, str],
                   kernel: str) -> TensorArg:
    dims: list[tuple[str, str | None, str]] = []
    for text in r.shape:
        spec = parse_shape(text).dims[0]
        assert isinstance(spec, (ExprDim, AnyDim))
        if not isinstance(spec, ExprDim):
            dims.append((text, None, "any"))
            continue
        missing = sorted(spec.dim.free_symbols() - env.keys())
        if missing:
            raise ValueError(f"kernel '{kernel}': {who} has dim {text}, but {missing[0]} is "
                             "bound by no argument")
        dims.append((text, dim_c(spec.dim, env), "eq"))
    return TensorArg(who, cname, r.dtype, dims, "SK_WRITE")


def entry_for(abi: KernelABI, lib: str, kid: int, target: str = "cpu") -> CEntry:
    """The C entry `<lib>_<kernel>` calling the internal entry `abi.symbol` (for target
    "cuda": tensors are device pointers and a trailing `void *stream` is taken)."""
    names = CNames()
    env: dict[str, str] = {}
    for p in abi.params:  # parameter names keep their spelling; dims take what is left
        names.take(p.name)
    tensors: dict[str, TensorArg] = {}
    scalars: dict[str, str] = {}
    for p in abi.params:
        if p.kind == "tensor":
            tensors[p.name] = _param_tensor(p, names, env)
    size_params = list(dict.fromkeys(env.values()))
    for p in abi.params:
        if p.kind != "tensor":
            scalars[p.name] = names.take(p.name)
            if p.kind == "int" and p.name not in env:
                env[p.name] = scalars[p.name]
    results: list[TensorArg | tuple[str, str]] = []
    for k, r in enumerate(abi.results):
        single = len(abi.results) == 1 and not abi.result_is_tuple
        cname = names.take("out" if single else f"out{k}", "result")
        who = "the result" if single else f"result {k}"
        if r.kind == "tensor":
            results.append(_result_tensor(r, who, cname, env, abi.name))
        else:
            results.append((cname, r.kind))
    stream = names.take("stream") if target == "cuda" else None
    return _Writer(abi, lib, kid, size_params, tensors, scalars, results, stream).entry()


class _Writer:
    """Writes the C text of one entry from its resolved pieces."""

    def __init__(self, abi: KernelABI, lib: str, kid: int, size_params: list[str],
                 tensors: dict[str, TensorArg], scalars: dict[str, str],
                 results: list[TensorArg | tuple[str, str]], stream: str | None) -> None:
        self.abi, self.lib, self.kid, self.stream = abi, lib, kid, stream
        self.size_params, self.tensors, self.scalars = size_params, tensors, scalars
        self.results = results
        self.name = f"{lib}_{abi.name}"

    def args(self) -> list[str]:
        """The C parameter declarations, in order."""
        out = [f"int64_t {s}" for s in self.size_params]
        for p in self.abi.params:
            if p.kind == "tensor":
                t = self.tensors[p.name]
                const = "" if p.written else "const "
                out += [f"{const}{C_TYPES[t.dtype]} *{t.name}", f"const int64_t *{t.sizes}",
                        f"const int64_t *{t.strides}"]
            else:
                out.append(f"{_SCALAR_C[p.kind]} {self.scalars[p.name]}")
        for r in self.results:
            if isinstance(r, TensorArg):
                out += [f"{C_TYPES[r.dtype]} *{r.name}", f"const int64_t *{r.sizes}",
                        f"const int64_t *{r.strides}"]
            else:
                out.append(f"{_SCALAR_C[r[1]]} *{r[0]}")
        if self.stream is not None:
            out.append(f"void *{self.stream}")
        return out

    def entry(self) -> CEntry:
        """Everything about this entry."""
        proto = f"int {self.name}({', '.join(self.args()) or 'void'})"
        body = [*self._hooks(), *self._errors(), f"SK_EXPORT {proto} {{", "    sk_err[0] = 0;",
                "    int sk_st = 0;"]
        body += self._checks()
        body += self._call()
        body.append("}")
        return CEntry(self.name, proto, self._doc(), "\n".join(body) + "\n", self.size_params)

    def _all_tensors(self) -> list[TensorArg]:
        return [*self.tensors.values(), *(r for r in self.results if isinstance(r, TensorArg))]

    def _checks(self) -> list[str]:
        k = self.abi.name
        out = []
        for s in self.size_params:
            out.append(f"    if ({s} < 0) return sk_fail(2, \"ShapeError: kernel '{k}': dim "
                       f"{s} is %lld, but a size cannot be negative\", (long long){s});")
        for n, t in enumerate(self._all_tensors()):
            rank = len(t.dims)
            who = c_string(t.who)
            out.append(f"    int64_t sk_n{n}[{max(rank, 1)}];")
            out.append(f"    if ({t.sizes} != NULL) {{")
            out += [f"        sk_n{n}[{d}] = {t.sizes}[{d}];" for d in range(rank)]
            out.append("    } else {")
            if any(c is None for _, c, chk in t.dims) or any(chk == "bcast" for *_, chk in t.dims):
                out.append(f"        return sk_fail(1, \"%s: sizes is NULL, but its annotation "
                           f"has unnamed dims\", {who});")
            else:
                out += [f"        sk_n{n}[{d}] = {c};" for d, (_, c, _) in enumerate(t.dims)]
            out.append("    }")
            for d, (text, c, chk) in enumerate(t.dims):
                out += self._dim_check(n, d, who, text, c, chk)
        return out

    def _dim_check(self, n: int, d: int, who: str, text: str, c: str | None,
                   chk: str) -> list[str]:
        got = f"sk_n{n}[{d}]"
        if chk == "any" or c is None:
            return [f"    if ({got} < 0) return sk_fail(2, \"ShapeError: %s: dim {d} is %lld, "
                    f"but a size cannot be negative\", {who}, (long long){got});"]
        label = c_string(text)[1:-1]
        want = f"({c})"
        cond = f"{got} != {want}" if chk == "eq" else f"{got} != {want} && {got} != 1"
        extra = "" if chk == "eq" else " (or 1)"
        return [f"    if ({cond}) return sk_fail(2, \"ShapeError: %s: dim {d} ({label}) is "
                f"%lld, but {label} = %lld{extra}\", {who}, (long long){got}, "
                f"(long long){want});"]

    def _call(self) -> list[str]:
        out = []
        ts = self._all_tensors()
        out.append(f"    sk_tensor sk_t[{max(len(ts), 1)}];")
        out.append("    int sk_ready = 0;")
        for n, t in enumerate(ts):
            out.append(f"    sk_st = sk_prepare(&sk_t[{n}], {c_string(t.who)}, {t.name}, "
                       f"sk_n{n}, {t.strides}, {len(t.dims)}, {_ESIZE[t.dtype]}, {t.mode});")
            out.append(f"    if (sk_st) goto sk_done; sk_ready = {n + 1};")
        for r in self.results:
            if not isinstance(r, TensorArg):
                out.append(f"    if ({r[0]} == NULL) {{ sk_st = sk_fail(1, \"{r[0]}: the "
                           f"result pointer is NULL\"); goto sk_done; }}")
        slots = self.abi.slot_count()
        out.append(f"    int64_t sk_packed[{max(slots, 1)}];")
        n_scalar = sum(1 for r in self.results if not isinstance(r, TensorArg))
        out.append(f"    int64_t sk_res[{max(n_scalar, 1)}] = {{0}};")
        out += self._pack()
        out.append(f"    sk_report[0] = -1;")
        if self.stream is None:
            out.append(f"    sk_st = {self.abi.symbol}(sk_packed);")
            out.append(f"    if (sk_st) sk_st = sk_k{self.kid}_fail(sk_st);")
        else:
            out.append(f"    sk_st = sk_cuda_run({self.abi.symbol}, sk_packed, {self.stream});")
            out.append(f"    if (sk_st < 0) sk_st = -sk_st; "
                       f"else if (sk_st) sk_st = sk_k{self.kid}_fail(sk_st);")
        out += self._store_scalars()
        out.append("sk_done:")
        out.append("    for (int i = 0; i < sk_ready; i++) sk_release(&sk_t[i], sk_st == 0);")
        out.append("    return sk_st;")
        return out

    def _pack(self) -> list[str]:
        out: list[str] = []
        slot = 0
        tensor_ids = {id(t): n for n, t in enumerate(self._all_tensors())}

        def put(expr: str) -> None:
            nonlocal slot
            out.append(f"    sk_packed[{slot}] = {expr};")
            slot += 1

        def put_tensor(t: TensorArg) -> None:
            n = tensor_ids[id(t)]
            put(f"(int64_t)(intptr_t)sk_t[{n}].buf")
            for d in range(len(t.dims)):
                put(f"sk_n{n}[{d}]")
        for p in self.abi.params:
            if p.kind == "tensor":
                put_tensor(self.tensors[p.name])
            elif p.kind == "float":
                out.append(f"    memcpy(&sk_packed[{slot}], &{self.scalars[p.name]}, 8);")
                slot += 1
            else:
                put(f"(int64_t){self.scalars[p.name]}")
        scalar = 0
        for r in self.results:
            if isinstance(r, TensorArg):
                put_tensor(r)
            else:
                put(f"(int64_t)(intptr_t)&sk_res[{scalar}]")
                scalar += 1
        return out

    def _store_scalars(self) -> list[str]:
        out = ["    if (sk_st == 0) {"]
        scalar = 0
        for r in self.results:
            if isinstance(r, TensorArg):
                continue
            name, kind = r
            if kind == "float":
                out.append(f"        memcpy({name}, &sk_res[{scalar}], 8);")
            elif kind == "bool":
                out.append(f"        *{name} = sk_res[{scalar}] != 0;")
            else:
                out.append(f"        *{name} = sk_res[{scalar}];")
            scalar += 1
        return out + ["    }"]

    def _errors(self) -> list[str]:
        """`sk_k<id>_fail(status)`: the message and code of a failing site."""
        # The values the error hook reported, or "?" when it did not report this site (as
        # in Python: hooks replaced by `dsl.load_library`).
        lines = [f"static int sk_k{self.kid}_fail(int64_t st) {{",
                 '    char a[24] = "?", b[24] = "?";',
                 "    if (sk_report[0] == st) {",
                 '        snprintf(a, sizeof a, "%lld", (long long)sk_report[1]);',
                 '        snprintf(b, sizeof b, "%lld", (long long)sk_report[2]);', "    }",
                 "    switch (st) {"]
        for site_id, site in sorted(self.abi.errors.items()):
            code = EXCEPTION_CODES.get(site.exception, "8")
            fmt, args = _c_format(site.message)
            where = f" (at {site.file}:{site.line}:{site.col})".replace("%", "%%")
            text = c_string(f"{site.exception}: {fmt}{where}")
            lines.append(f"    case {site_id}: return sk_fail({code}, {text}{args});")
        kernel = c_string(f"kernel '{self.abi.name}' failed with status %lld, which is no "
                          "error site of its ABI")
        lines += [f"    default: return sk_fail(8, {kernel}, (long long)st);", "    }", "}"]
        return lines

    def _hooks(self) -> list[str]:
        """The print sites' tables, this kernel's print hooks and their installation."""
        k = f"sk_k{self.kid}"
        lines: list[str] = []
        cases: list[str] = []
        for site_id, site in sorted(self.abi.prints.items()):
            lines += _print_site(f"{k}_p{site_id}", site)
            cases.append(f"    case {site_id}: return &{k}_p{site_id};")
        lines += [f"static const sk_print_site *{k}_site(int64_t site) {{",
                  "    switch (site) {", *cases, "    default: return NULL;", "    }", "}",
                  f"static void {k}_ps(int64_t s, int64_t kind, int64_t bits) {{",
                  f"    const sk_print_site *ps = {k}_site(s); "
                  "if (ps) sk_print_scalar(ps, s, kind, bits);", "}",
                  f"static void {k}_pt(int64_t s, int64_t c, int64_t r, int64_t d, "
                  "const int64_t *z) {",
                  f"    const sk_print_site *ps = {k}_site(s); "
                  "if (ps) sk_print_tensor(ps, s, c, r, d, z);", "}",
                  f"static void {k}_pe(int64_t s) {{",
                  f"    const sk_print_site *ps = {k}_site(s); if (ps) sk_print_end(ps, s);",
                  "}",
                  f"extern int32_t {self.abi.symbol}(const int64_t *packed);",
                  f"extern void *{self.abi.hooks_symbol}[{len(HOOK_NAMES)}];",
                  f"__attribute__((constructor)) static void {k}_install(void) {{",
                  f"    {self.abi.hooks_symbol}[0] = (void *){k}_ps;",
                  f"    {self.abi.hooks_symbol}[1] = (void *){k}_pt;",
                  f"    {self.abi.hooks_symbol}[2] = (void *){k}_pe;",
                  f"    {self.abi.hooks_symbol}[3] = (void *)sk_error_hook;", "}"]
        return lines

    def _doc(self) -> list[str]:
        """The header comment lines: every parameter with its annotation."""
        doc = [f"kernel '{self.abi.name}'; returns SHAPEKIT_OK or a SHAPEKIT_ERR_* code"]
        if self.size_params:
            doc.append(f"  sizes: {', '.join(self.size_params)} (int64_t, >= 0)")
        for p in self.abi.params:
            if p.kind == "tensor":
                t = self.tensors[p.name]
                rw = "read and written in place" if p.written else "read"
                note = "" if p.annotation == " ".join(d[0] for d in t.dims) else \
                    f", annotated '{p.annotation}'"
                doc.append(f"  {t.name}: {p.dtype}[{_dims_text(t)}] ({rw}{note})")
            else:
                doc.append(f"  {self.scalars[p.name]}: {p.kind}")
        for r in self.results:
            if isinstance(r, TensorArg):
                doc.append(f"  {r.name}: {r.dtype}[{_dims_text(r)}] (result, written)")
            else:
                doc.append(f"  {r[0]}: {r[1]} (result, written)")
        if self.stream is not None:
            doc += [f"  {self.stream}: the CUstream the work is queued on (NULL: the default "
                    "stream)", "  tensor data pointers are device pointers"]
        return doc


def _dims_text(t: TensorArg) -> str:
    return ", ".join(text for text, _, _ in t.dims)


def _print_site(name: str, site: PrintSite) -> list[str]:
    parts = ", ".join("NULL" if p is None else c_string(p) for p in site.parts) or "NULL"
    return [f"static const char *const {name}_parts[] = {{{parts}}};",
            f"static const sk_print_site {name} = {{{len(site.parts)}, {name}_parts, "
            f"{c_string(site.sep)}, {c_string(site.end)}}};"]


def _c_format(message: str) -> tuple[str, str]:
    """A Python `str.format` message over {a} and {b} as a printf format and its args."""
    out: list[str] = []
    args: list[str] = []
    i = 0
    while i < len(message):
        two = message[i:i + 2]
        if two in ("{{", "}}"):
            out.append(two[0])
            i += 2
        elif message.startswith("{a}", i) or message.startswith("{b}", i):
            out.append("%s")
            args.append(message[i + 1])
            i += 3
        else:
            out.append("%%" if message[i] == "%" else message[i])
            i += 1
    return "".join(out), "".join(f", {a}" for a in args)

