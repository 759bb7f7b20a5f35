"""Load the user's code from a ``package.module:attribute`` path.

The code is imported only when named, so ``orthoproof check`` never runs code
the user did not point at.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from orthoproof.errors import InvalidArgument
from orthoproof.gate.calling import describe, trapped_os_exit

__all__ = ["load_object", "object_path"]

_FORM = "an import path package.module:attribute"


def load_object(path: str, *, argument: str = "path") -> Any:
    """Import ``package.module`` and return its (possibly dotted) ``attribute``.

    Parameters
    ----------
    path
        ``package.module:attribute`` or ``package.module:Class.attribute``.
    argument
        The name errors give the path under: the command line passes the flag
        the user typed (``--loss``), so the message points at it.

    Raises
    ------
    InvalidArgument
        If the path is malformed, the module cannot be imported (it raises or
        exits on import) or the attribute does not exist; the message names the
        path and the cause.
    """
    if not isinstance(path, str) or path.count(":") != 1:
        raise InvalidArgument.of(argument, path, _FORM)
    module_name, attribute = path.split(":")
    if not module_name or not attribute:
        raise InvalidArgument.of(argument, path, _FORM)
    try:
        with trapped_os_exit():
            target: Any = importlib.import_module(module_name)
    except (Exception, SystemExit) as exc:  # a module may raise or exit on import
        raise InvalidArgument(
            f"{argument}={path!r}: cannot import module {module_name!r} "
            f"({describe(exc)})"
        ) from exc
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise InvalidArgument(
                f"{argument}={path!r}: {module_name!r} has no attribute {attribute!r}"
            ) from None
        except (Exception, SystemExit) as exc:  # a module __getattr__ runs user code
            raise InvalidArgument(
                f"{argument}={path!r}: looking up {part!r} raised {describe(exc)}"
            ) from exc
    return target


def object_path(obj: Any) -> str | None:
    """The import path of ``obj`` when it can be re-imported, else ``None``.

    Used to build replay commands for objects handed over in Python.
    """
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None)
    if name is None:
        # An instance: replayable only if its class's module holds it by name.
        module = getattr(type(obj), "__module__", None)
        namespace = vars(sys.modules.get(module or "", object))
        name = next((key for key, v in namespace.items() if v is obj), None)
    if module is None or name is None or module == "__main__":
        return None
    if "<locals>" in name:
        return None
    return f"{_public_module(module, name, obj)}:{name}"


def _public_module(module: str, name: str, obj: Any) -> str:
    """The shortest already-imported parent of ``module`` exporting ``obj``.

    ``torch.optim.adam:Adam`` becomes ``torch.optim:Adam`` and
    ``optax._src.alias:adam`` becomes ``optax:adam``: the names users write,
    and the ones that survive a library moving code between private modules.
    Nothing is imported here, so no code runs that the user did not name.
    """
    parts = module.split(".")
    for end in range(1, len(parts)):
        parent = sys.modules.get(".".join(parts[:end]))
        target: Any = parent
        for part in name.split("."):
            target = getattr(target, part, None)
        if parent is not None and target is obj:
            return ".".join(parts[:end])
    return module
