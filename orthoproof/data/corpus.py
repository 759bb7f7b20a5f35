"""A deterministic English corpus built from the standard library's docstrings.

The corpus is the default real input of the suite: it needs no download, yet it is
genuine prose written by many people, so its co-occurrence statistics have the
heavy-tailed shape real word-embedding data has.  The modules are *parsed* with
:mod:`ast`, never imported, so building the corpus runs no standard-library code
and has no side effects.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import logging
import re
import sysconfig
from collections.abc import Iterator
from pathlib import Path

__all__ = ["stdlib_corpus", "tokenise"]

logger = logging.getLogger(__name__)

# Packages (and their top-level namesakes) that are tests, GUIs, demos or
# bundled installers rather than library prose.  Only top-level ``*.py`` files are
# read, so the directories are excluded anyway; the set also guards any module
# that shares one of these names.
_SKIPPED = frozenset(
    {"test", "idlelib", "tkinter", "turtledemo", "lib2to3", "ensurepip"}
)

# The statement fields that can hold nested definitions.  Expressions never carry
# docstrings, so walking only statement lists is both sufficient and much faster
# than visiting every node.
_BODY_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")

_DEFINITIONS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_Definition = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef

_WORD = re.compile(r"[a-z]+")


def _stdlib_modules() -> list[Path]:
    """List the standard library's top-level modules, sorted by file name.

    Returns
    -------
    list of Path
        The ``*.py`` files directly inside ``sysconfig.get_paths()["stdlib"]``,
        minus the skipped names and anything under ``site-packages``.
    """
    root = Path(sysconfig.get_paths()["stdlib"])
    modules = sorted(root.glob("*.py"), key=lambda path: path.name)
    return [
        path
        for path in modules
        if path.stem not in _SKIPPED and "site-packages" not in path.parts
    ]


def _definitions(tree: ast.Module) -> Iterator[_Definition]:
    """Yield the module, class and function nodes of a tree in source order.

    Parameters
    ----------
    tree
        A parsed module.

    Yields
    ------
    ast.Module, ast.ClassDef, ast.FunctionDef or ast.AsyncFunctionDef
        Each node that can carry a docstring, in pre-order, so the output order
        follows the file from top to bottom.
    """
    # An explicit stack rather than recursion: deeply nested code must not hit
    # the interpreter's recursion limit.
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _DEFINITIONS):
            yield node
        # mypy thinks AST classes unhashable (typeshed's ``AST.__hash__``
        # signature); they are ordinary, hashable classes.
        fields = _body_fields(type(node))  # type: ignore[arg-type]
        if fields:
            children = [child for name in fields for child in getattr(node, name)]
            stack.extend(reversed(children))


@functools.cache
def _body_fields(node_type: type) -> tuple[str, ...]:
    """The statement-list fields a node type has (empty for simple statements).

    Looked up once per type, so the many simple statements cost one dictionary
    hit each instead of several ``getattr`` calls.
    """
    fields = getattr(node_type, "_fields", ())
    return tuple(name for name in _BODY_FIELDS if name in fields)


def _module_docstrings(path: Path) -> list[str]:
    """Collect every docstring of one module, or none if it cannot be read.

    Parameters
    ----------
    path
        A Python source file.

    Returns
    -------
    list of str
        Module, class and function docstrings in source order (indentation
        cleaned by :func:`ast.get_docstring`); empty when the file fails to read,
        decode or parse.
    """
    try:
        # Parsing bytes lets ``ast`` honour any PEP 263 encoding declaration.
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError) as error:
        # ValueError covers UnicodeDecodeError and source containing NUL bytes.
        logger.debug("skipping %s: %s", path, error)
        return []
    docstrings = []
    for node in _definitions(tree):
        docstring = ast.get_docstring(node)
        if docstring:
            docstrings.append(docstring)
    return docstrings


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Suspend the cyclic garbage collector for the duration of a block.

    Parsing allocates hundreds of thousands of nodes, and every burst of
    allocations triggers collections that traverse all live objects in the
    process (many, once NumPy and SymPy are imported): about a third of the run
    time.  Syntax trees hold no reference cycles, so pausing leaks nothing, and
    the previous state is restored even if parsing fails.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@functools.cache
def stdlib_corpus() -> str:
    """Return English text made of the running interpreter's stdlib docstrings.

    The top-level ``*.py`` modules of the standard library (located with
    :func:`sysconfig.get_paths`) are read in order of file name, each is parsed
    with :mod:`ast` (never imported) and its module, class and function
    docstrings are collected in source order.  Files that fail to read, decode or
    parse are skipped and logged at DEBUG level.  The result is cached for the
    life of the process.

    Returns
    -------
    str
        The docstrings joined by blank lines.  The text is the same on every call
        and on every machine running the same Python release, but differs between
        releases.
    """
    modules = _stdlib_modules()
    with _collector_paused():
        docstrings = [text for path in modules for text in _module_docstrings(path)]
    logger.debug(
        "stdlib corpus: %d docstrings from %d modules", len(docstrings), len(modules)
    )
    return "\n\n".join(docstrings)


def tokenise(text: str) -> list[str]:
    """Split text into lowercase alphabetic words.

    The rule: lowercase the whole text, take every maximal run of the ASCII
    letters ``a`` to ``z`` (regular expression ``[a-z]+``), and keep the runs of
    two or more letters.  Digits, punctuation, underscores and non-ASCII letters
    all separate words, so ``"read_bytes()"`` gives ``["read", "bytes"]`` and the
    one-letter ``"a"`` is dropped.

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    list of str
        The words in order of appearance, length ``n_tokens``.
    """
    return [word for word in _WORD.findall(text.lower()) if len(word) >= 2]
