"""The emulator's built-in call hook, what a tracer listens to: every emulated operation reports
(name, args, kwargs, result, error) to the installed hook once it has returned or raised. Only
outermost calls are reported: an operation that uses another one internally is one call, as
ttnn's own tracer sees it. With no hook installed an operation costs one extra call frame. A
hook must not raise: it runs inside the caller's test.

An operation given a mesh tensor runs once per device (ttgen.emu.mesh.map_over_devices) unless it
is declared `per_device=False`: collectives and data movement handle meshes themselves."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ttgen.emu.mesh import has_mesh_tensor, map_over_devices

F = TypeVar("F", bound=Callable[..., Any])
Hook = Callable[[str, tuple[Any, ...], dict[str, Any], Any, BaseException | None], None]

OPERATIONS: dict[str, Callable[..., Any]] = {}  # ttnn name → the emulated operation

_hook: Hook | None = None
_depth = 0


def set_hook(hook: Hook | None) -> Hook | None:
    """Install `hook` (None removes it); the previous hook is returned."""
    global _hook
    previous, _hook = _hook, hook
    return previous


def operation(name: str, *, per_device: bool = True) -> Callable[[F], F]:
    """Decorate a function as the emulated ttnn operation `name` (for example "ttnn.add")."""

    def decorate(fn: F) -> F:
        def run(*args: Any, **kwargs: Any) -> Any:
            if per_device and has_mesh_tensor(args, kwargs):
                return map_over_devices(fn, args, kwargs)
            return fn(*args, **kwargs)

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            global _depth
            if _hook is None:
                return run(*args, **kwargs)
            _depth += 1
            try:
                result = run(*args, **kwargs)
            except BaseException as e:
                _depth -= 1
                if _depth == 0 and _hook is not None:
                    _hook(name, args, kwargs, None, e)
                raise
            _depth -= 1
            if _depth == 0 and _hook is not None:
                _hook(name, args, kwargs, result, None)
            return result

        OPERATIONS[name] = call
        return cast(F, call)

    return decorate
