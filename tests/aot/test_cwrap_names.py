"""C names of the generated entries (no compilation): clashes with C keywords, with the
wrapper's own `sk_` names, with the `_sizes`/`_strides` of other tensors and between dims
and parameters are renamed, never looped on."""

from __future__ import annotations

from dsl._runtime.abi import KernelABI, ParamSpec, ResultSpec
from lowering.aot.cwrap import entry_for
from lowering.aot.names import CNames, c_string, dim_c
from typecheck.annotations import ExprDim, parse_shape


def test_names_are_renamed_not_looped() -> None:
    names = CNames()
    assert [names.take(n) for n in ("out", "sk_x", "double", "out_sizes")] == [
        "out", "u_sk_x", "double_", "out_sizes_"]
    assert names.take("out", "dim") == "out_"
    assert names.take("out") == "out"          # the same want in the same space: same name


def test_entry_signature_with_clashing_names() -> None:
    abi = KernelABI(
        name="clash", symbol="lib__sk_clash",
        params=(ParamSpec("out", "tensor", "float32", 2, "out char"),
                ParamSpec("sk_x", "tensor", "float32", 1, "char"),
                ParamSpec("double", "float"), ParamSpec("out_sizes", "int")),
        results=(ResultSpec("tensor", "float32", ("out", "char")), ResultSpec("float")),
        result_is_tuple=True)
    entry = entry_for(abi, "lib", 0)
    assert entry.prototype == (
        "int lib_clash(int64_t out_, int64_t char_, const float *out, const int64_t *out_sizes, "
        "const int64_t *out_strides, const float *u_sk_x, const int64_t *u_sk_x_sizes, "
        "const int64_t *u_sk_x_strides, double double_, int64_t out_sizes_, float *out0, "
        "const int64_t *out0_sizes, const int64_t *out0_strides, double *out1)")
    assert entry.size_params == ["out_", "char_"]


def test_dim_expressions_in_c() -> None:
    dim = parse_shape("2*N+(M//3)").dims[0]
    assert isinstance(dim, ExprDim)
    text = dim_c(dim.dim, {"N": "n_c", "M": "m_c"})
    assert "INT64_C(2)*n_c" in text and "sk_floordiv((INT64_C(1)*m_c), (INT64_C(3)))" in text
    assert c_string('a"b\\?é\n') == r'"a\"b\\\?\303\251\012"'
