"""Run-time checking of a kernel's arguments and result against its annotations.

A kernel's annotations are read once (`Signature.of`) into specs. At each call, tensor
arguments are checked for dtype and bound dim by dim with `typecheck.binding.bind_shape`
(one `Bindings` for the whole call, so `N` means the same size everywhere and arithmetic dims
like `4*D` work); the result is checked against the return annotation under the same
bindings. Other annotated parameters (`int`, `float`, `bool`, ...) are checked by typeguard
inside a jaxtyping context.
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Union

import jaxtyping
import numpy as np
import typeguard

from dsl._core import NDArray, describe, fmt_shape
from dsl._dtypes import language_dtype, numpy_dtype
from dsl._tensor import Tensor
from typecheck.annotations import ShapeSpec, parse_shape
from typecheck.binding import Bindings, bind_shape
from typecheck.dtypes import DType
from typecheck.errors import AnnotationError, DTypeError, ShapeError
from typecheck.shapes import Shape

_RETURN = "<return>"


@dataclass(frozen=True)
class TensorSpec:
    """A tensor annotation: the accepted numpy dtypes and the dim spec (None: any shape)."""

    accepted: frozenset[np.dtype[Any]]
    shape: ShapeSpec | None
    text: str


_ALL_DTYPES = frozenset(numpy_dtype(d) for d in DType)


def _accepted(names: object) -> frozenset[np.dtype[Any]]:
    """The language dtypes among jaxtyping's dtype names (all of them for `Shaped`)."""
    if not isinstance(names, (tuple, list)):
        return _ALL_DTYPES
    return frozenset(numpy_dtype(d) for d in DType if d.value in names or
                     f"{d.value}_" in names)


@dataclass(frozen=True)
class TupleSpec:
    """`tuple[A, B]` (items) or `tuple[A, ...]` (repeat)."""

    items: tuple["Spec", ...]
    repeat: "Spec | None"
    text: str


@dataclass(frozen=True)
class NoneSpec:
    """`-> None`."""


@dataclass(frozen=True)
class OtherSpec:
    """Any other annotation (`int`, `float`, `bool`, ...), checked by typeguard."""

    hint: Any


@dataclass(frozen=True)
class AnySpec:
    """No annotation: nothing to check."""


Spec = Union[TensorSpec, TupleSpec, NoneSpec, OtherSpec, AnySpec]


def _is_array_annotation(hint: Any) -> bool:
    return isinstance(hint, type) and hasattr(hint, "dim_str") and hasattr(hint, "dtypes")


def spec_of(hint: Any) -> Spec:
    """The spec of one annotation (parsing its dim string; `AnnotationError` if malformed)."""
    if hint is None or hint is type(None):
        return NoneSpec()
    if hint is Any or hint is inspect.Parameter.empty:
        return AnySpec()
    if hint is Tensor or hint is np.ndarray:
        return TensorSpec(_ALL_DTYPES, None, "Tensor")
    if _is_array_annotation(hint):
        return TensorSpec(_accepted(hint.dtypes), parse_shape(hint.dim_str), hint.__name__)
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return TupleSpec((), spec_of(args[0]), _hint_text(hint))
        return TupleSpec(tuple(spec_of(a) for a in args), None, _hint_text(hint))
    return OtherSpec(hint)


def _hint_text(hint: Any) -> str:
    return hint.__name__ if isinstance(hint, type) else str(hint)


@dataclass(frozen=True)
class Param:
    """One parameter: its name, kind and spec."""

    name: str
    kind: inspect._ParameterKind
    spec: Spec


@dataclass(frozen=True)
class Signature:
    """The checked signature of a kernel."""

    name: str
    params: tuple[Param, ...]
    result: Spec
    sig: inspect.Signature
    simple: bool
    _cache: _ShapeCache = field(default_factory=lambda: _ShapeCache(), compare=False)

    @staticmethod
    def of(fn: Callable[..., Any]) -> "Signature":
        """Read and parse `fn`'s annotations (names resolve in fn's module)."""
        name = getattr(fn, "__qualname__", repr(fn))
        try:
            hints = typing.get_type_hints(fn, include_extras=True)
        except Exception as exc:  # NameError and friends from string annotations
            raise AnnotationError(f"kernel '{name}': cannot resolve its annotations: "
                                  f"{exc}") from exc
        sig = inspect.signature(fn)
        params = tuple(Param(p.name, p.kind, _param_spec(name, p.name, hints))
                       for p in sig.parameters.values())
        result = _param_spec(name, "return", hints) if "return" in hints else AnySpec()
        simple = all(p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params)
        return Signature(name, params, result, sig, simple)

    def check_args(self, args: tuple[Any, ...], kwargs: dict[str, Any]
                   ) -> tuple[list[Any], dict[str, Any], "CallState"]:
        """Check the arguments; returns them (tensors as plain arrays) and the call's state."""
        pending: list[Pending] = []
        if self.simple and not kwargs and len(args) == len(self.params):
            out = [_check_value(p.name, p.spec, v, pending) for p, v in zip(self.params, args)]
            return out, {}, self._bind(pending)
        try:
            bound = self.sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"kernel '{self.name}': {exc}") from None
        bound.apply_defaults()
        for p in self.params:
            if p.name not in bound.arguments:
                continue
            value = bound.arguments[p.name]
            if p.kind == inspect.Parameter.VAR_POSITIONAL:
                value = tuple(_check_value(f"{p.name}[{i}]", p.spec, v, pending)
                              for i, v in enumerate(value))
            elif p.kind == inspect.Parameter.VAR_KEYWORD:
                value = {k: _check_value(k, p.spec, v, pending) for k, v in value.items()}
            else:
                value = _check_value(p.name, p.spec, value, pending)
            bound.arguments[p.name] = value
        return list(bound.args), dict(bound.kwargs), self._bind(pending)

    def check_result(self, value: Any, state: "CallState") -> Any:
        """Check the result against the return annotation, under the call's bindings."""
        pending: list[Pending] = []
        value = _check_value(_RETURN, self.result, value, pending)
        if pending:
            key = (state.key, tuple((p.name, p.shape) for p in pending))
            if key not in self._cache.results:
                bindings = Bindings(dict(state.bindings.dims), dict(state.bindings.variadics),
                                    dict(state.bindings.origin))
                _bind_all(pending, bindings)
                self._cache.remember_result(key)
        return value

    def _bind(self, pending: list["Pending"]) -> "CallState":
        """Bind the argument shapes, reusing the bindings of an earlier call with the same
        shapes (binding symbolic dims is far slower than the rest of the check)."""
        key = tuple((p.name, p.shape) for p in pending)
        bindings = self._cache.args.get(key)
        if bindings is None:
            bindings = Bindings()
            _bind_all(pending, bindings)
            self._cache.remember_args(key, bindings)
        return CallState(key, bindings)


_CACHE_LIMIT = 1024
ShapeKey = tuple[tuple[str, tuple[int, ...]], ...]


@dataclass
class _ShapeCache:
    """Shapes of earlier successful calls: argument shapes to bindings, and checked results."""

    args: dict[ShapeKey, Bindings] = field(default_factory=dict)
    results: set[tuple[Any, ...]] = field(default_factory=set)

    def remember_args(self, key: ShapeKey, bindings: Bindings) -> None:
        if len(self.args) >= _CACHE_LIMIT:
            self.args.clear()
        self.args[key] = bindings

    def remember_result(self, key: tuple[Any, ...]) -> None:
        if len(self.results) >= _CACHE_LIMIT:
            self.results.clear()
        self.results.add(key)


@dataclass(frozen=True)
class CallState:
    """What the argument check of one call leaves for the result check."""

    key: ShapeKey
    bindings: Bindings


@dataclass(frozen=True)
class Pending:
    """A tensor whose dtype was checked and whose shape is still to be bound."""

    name: str
    spec: TensorSpec
    shape: tuple[int, ...]


def _bind_all(pending: list[Pending], bindings: Bindings) -> None:
    for p in pending:
        assert p.spec.shape is not None
        try:
            bind_shape(p.spec.shape, Shape.of(p.shape), bindings, p.name)
        except ShapeError as exc:
            text = str(exc).replace(f"argument '{p.name}'", _who(p.name), 1)
            raise ShapeError(f"{text} [annotation {p.spec.text}, actual shape "
                             f"{fmt_shape(p.shape)}]") from None


def _param_spec(kernel: str, name: str, hints: dict[str, Any]) -> Spec:
    if name not in hints:
        return AnySpec()
    try:
        return spec_of(hints[name])
    except AnnotationError as exc:
        what = "the return annotation" if name == "return" else f"parameter '{name}'"
        raise AnnotationError(f"kernel '{kernel}', {what}: {exc}") from None


def _who(name: str) -> str:
    """How messages name a checked value: `argument 'x'` or `the return value`."""
    if name.startswith(_RETURN):
        return "the return value" + name[len(_RETURN):]
    return f"argument '{name}'"


def _check_value(name: str, spec: Spec, value: Any, pending: list[Pending]) -> Any:
    if isinstance(spec, TensorSpec):
        return _check_tensor(name, spec, value, pending)
    if isinstance(spec, AnySpec):
        return value
    if isinstance(spec, NoneSpec):
        if value is not None:
            raise DTypeError(f"{_who(name)} should be None, got {describe(value)}")
        return None
    if isinstance(spec, TupleSpec):
        return _check_tuple(name, spec, value, pending)
    return _check_other(name, spec, value)


def _check_tensor(name: str, spec: TensorSpec, value: Any, pending: list[Pending]) -> NDArray:
    arr = _as_tensor(name, spec, value)
    if arr.dtype not in spec.accepted:
        dtype = language_dtype(arr.dtype, _who(name))
        raise DTypeError(f"{_who(name)}: expected {spec.text}, got a {dtype} tensor "
                         f"(expected dtype {_dtype_names(spec.accepted)}, actual {dtype})")
    if spec.shape is not None:
        pending.append(Pending(name, spec, arr.shape))
    return arr


def _dtype_names(accepted: frozenset[np.dtype[Any]]) -> str:
    names = sorted(language_dtype(d).value for d in accepted)
    return " or ".join(names) if names else "(none the language supports)"


def _as_tensor(name: str, spec: TensorSpec, value: Any) -> NDArray:
    if isinstance(value, np.ndarray):
        return value if type(value) is np.ndarray else value.view(np.ndarray)
    if not (hasattr(value, "shape") and hasattr(value, "dtype")) or isinstance(value, type):
        raise DTypeError(f"{_who(name)}: expected {spec.text} (a numpy array), "
                         f"got {describe(value)}")
    try:
        return np.asarray(value)
    except Exception as exc:  # an object that only looks like an array
        raise DTypeError(f"{_who(name)}: expected {spec.text}, got {describe(value)} that "
                         f"cannot be read as an array ({exc})") from None


def _check_tuple(name: str, spec: TupleSpec, value: Any, pending: list[Pending]) -> Any:
    if not isinstance(value, tuple):
        raise DTypeError(f"{_who(name)}: expected {spec.text}, got {describe(value)}")
    if spec.repeat is not None:
        items = [spec.repeat] * len(value)
    else:
        items = list(spec.items)
        if len(items) != len(value):
            raise DTypeError(f"{_who(name)}: expected {spec.text}, a tuple of {len(items)}, "
                             f"got a tuple of {len(value)}")
    return tuple(_check_value(f"{name}[{i}]", s, v, pending)
                 for i, (s, v) in enumerate(zip(items, value)))


def _check_other(name: str, spec: OtherSpec, value: Any) -> Any:
    if isinstance(value, np.generic) and not isinstance(value, np.ndarray):
        value = value.item()  # numpy scalars stand for Python scalars
    try:
        with jaxtyping.jaxtyped("context"):
            typeguard.check_type(value, spec.hint)
    except typeguard.TypeCheckError as exc:
        expected = _hint_text(spec.hint)
        raise DTypeError(f"{_who(name)}: expected {expected}, got {describe(value)} "
                         f"({exc})") from None
    return value
