"""``orthoproof check``: the CI gate's command line.

Exit status: 0 when every ``--expect`` holds (or none was given), 1 when one
does not, 2 for a usage or input error (bad import path, code that raises or
exits, wrong shapes, NaN, a report that cannot be written), with one line
naming the cause; 130 when interrupted. Arguments are judged before any user
code runs (:mod:`orthoproof.gate.arguments`); warnings the checked code emits
are gathered into one note rather than printed as they come.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from orthoproof.errors import InvalidArgument, OrthoproofError
from orthoproof.gate.adapters import PARAM_FORMS
from orthoproof.gate.arguments import CheckArguments, checked_arguments
from orthoproof.gate.calling import (
    describe,
    recorded_warnings,
    trapped_os_exit,
    warnings_note,
)
from orthoproof.gate.loading import load_object
from orthoproof.gate.problem import GROUPS
from orthoproof.gate.results import CheckReport

__all__ = ["add_check_parser", "main", "run_check"]

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

#: Library keywords whose errors can only arise once the user's object is
#: loaded, and the flags the user typed for them.
_FLAGS = {"optimiser": "--optimiser", "options": "--options", "params": "--params"}


def add_check_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``check`` subcommand to an ``add_subparsers()`` object.

    Options that belong to one kind of check default to ``None`` here; their
    defaults are filled in by :func:`~orthoproof.gate.arguments.checked_arguments`.
    """
    check = subparsers.add_parser(
        "check",
        help="check a user's loss or optimiser for rotation symmetry",
        description="Check a loss or optimiser named by import path; exit 0 when "
        "every --expect holds, 1 when one fails, 2 on a usage or input error.",
    )
    what = check.add_mutually_exclusive_group(required=True)
    what.add_argument("--loss", metavar="PKG.MOD:ATTR", help="loss(A, B, **data)")
    what.add_argument(
        "--optimiser",
        "--optimizer",
        dest="optimiser",
        metavar="PKG.MOD:ATTR",
        help="init/step object or factory, torch.optim class, or optax transform",
    )
    check.add_argument(
        "--grad", metavar="PKG.MOD:ATTR", help="grad(A, B, **data); --loss only"
    )
    check.add_argument(
        "--data-keys", help="loss keywords among X,W,b,c (default X); --loss only"
    )
    check.add_argument(
        "--options",
        metavar="JSON",
        help="JSON keyword arguments (default {}); --optimiser only",
    )
    check.add_argument(
        "--params",
        choices=PARAM_FORMS,
        help="how parameters are passed (default dict); --optimiser only",
    )
    check.add_argument(
        "--steps", type=int, help="optimiser steps (default 20); --optimiser only"
    )
    check.add_argument(
        "--group", action="append", choices=GROUPS, help="repeatable; default all"
    )
    check.add_argument(
        "--expect",
        action="append",
        default=[],
        metavar="GROUP=VERDICT",
        help="GROUP=equivariant|broken (repeatable)",
    )
    check.add_argument("--seed", type=int, default=0, help="non-negative (default 0)")
    check.add_argument("--k", type=int, default=3, help="at least 2 (default 3)")
    check.add_argument("--m", type=int, default=4, help="positive (default 4)")
    check.add_argument("--n", type=int, default=5, help="positive (default 5)")
    check.add_argument("--json", metavar="PATH", help="write the JSON report")
    check.add_argument("--junit", metavar="PATH", help="write JUnit XML")
    return check


def _check(a: CheckArguments) -> CheckReport:
    from orthoproof.gate.loss import check_loss
    from orthoproof.gate.optimiser import check_optimiser

    if a.kind == "loss":
        loss = load_object(a.target, argument="--loss")
        grad = load_object(a.grad, argument="--grad") if a.grad else None
        report = check_loss(
            loss,
            grad,
            groups=a.groups,
            seed=a.seed,
            data_keys=a.data_keys,
            target=a.target,
            grad_target=a.grad,
            k=a.k,
            m=a.m,
            n=a.n,
        )
    else:
        report = check_optimiser(
            load_object(a.target, argument="--optimiser"),
            groups=a.groups,
            steps=a.steps,
            seed=a.seed,
            options=a.options,
            params=a.params,
            target=a.target,
            k=a.k,
            m=a.m,
            n=a.n,
        )
    return report.expect(a.expectations)


def _as_typed(exc: InvalidArgument) -> str:
    """The message with the library's keyword replaced by the user's flag.

    Messages start ``name=value`` (:meth:`InvalidArgument.of`); the keywords in
    :data:`_FLAGS` reach the command line under the flag's name.
    """
    name, sep, rest = str(exc).partition("=")
    return f"{_FLAGS[name]}={rest}" if sep and name in _FLAGS else str(exc)


def _attempt(a: CheckArguments) -> tuple[CheckReport | None, str | None, str | None]:
    """Run the check: ``(report, error, warnings note)``, one of the first two None.

    A ``SystemExit`` from the user's code ends here as an error line wherever
    it came from, so the code under check cannot end the gate with its status;
    so does an ``os._exit``, trapped for the whole check.
    """
    report, error = None, None
    with recorded_warnings() as caught, trapped_os_exit():
        try:
            report = _check(a)
        except InvalidArgument as exc:
            error = _as_typed(exc)
        except OrthoproofError as exc:
            error = str(exc)
        except SystemExit as exc:
            # Calls the gate names are turned into UserCodeError; this is user
            # code it runs indirectly (a method of a returned object, say).
            error = (
                f"the checked code raised {describe(exc)} during the check; "
                "a check cannot pass when the code under it exits"
            )
    return report, error, warnings_note(caught)


def _write(report: CheckReport, a: CheckArguments) -> str | None:
    """Write the requested reports; the error line if one could not be written."""
    from orthoproof.gate.output import write_json, write_junit

    for name, path, writer in (
        ("--json", a.json, write_json),
        ("--junit", a.junit, write_junit),
    ):
        if path is None:
            continue
        try:
            writer(report, path)
        except (OSError, UnicodeError) as exc:
            # The OSError would name the temporary file beside the target.
            why = getattr(exc, "strerror", None) or str(exc)
            return f"{name}={str(path)!r}: cannot write ({why})"
        except OrthoproofError as exc:
            return f"{name}={str(path)!r}: {exc}"
    return None


def _print_error(errors: Console, message: str) -> None:
    # Text: the message holds user text, never to be read as markup or emoji
    # codes; soft_wrap: the one line stays one line however long it is.
    line = Text.assemble(("error:", "red"), f" {message}")
    errors.print(line, highlight=False, soft_wrap=True)


def _print_note(console: Console, note: str) -> None:
    # Notes carry user text too (exception messages, warnings).
    console.print(Text(f"note: {note}"), highlight=False, soft_wrap=True)


def run_check(args: argparse.Namespace, console: Console) -> int:
    """Run ``orthoproof check`` for parsed ``args``; return the exit status."""
    from orthoproof.gate.output import summary_table

    errors = Console(stderr=True, width=130)
    try:
        arguments = checked_arguments(args)
    except InvalidArgument as exc:
        _print_error(errors, str(exc))
        return EXIT_USAGE
    report, error, note = _attempt(arguments)
    if report is None:
        _print_error(errors, error or "the check produced no report")
        if note:
            _print_note(errors, note)
        return EXIT_USAGE
    if note:
        report = dataclasses.replace(report, notes=(*report.notes, note))
    console.print(summary_table(report))
    for line in report.notes:
        _print_note(console, line)
    failed = [g for g in report.groups if not g.as_expected]
    for g in failed:
        # soft_wrap: a replay command broken over two lines no longer replays.
        console.print(Text(report.failure_message(g)), highlight=False, soft_wrap=True)
    # Written after the results are shown, so a failed write loses nothing.
    error = _write(report, arguments)
    if error:
        _print_error(errors, error)
        return EXIT_USAGE
    if failed:
        console.print(f"{len(failed)} expectation(s) failed", style="bold red")
        return EXIT_MISMATCH
    return EXIT_OK


#: The process's own exit, taken before any user code could replace it.
_REAL_EXIT = os._exit


def run_check_in_child(args: argparse.Namespace, console: Console) -> int:
    """:func:`run_check` in a forked child; the status is the one it reports.

    User code can end a process in ways no Python handler sees (``posix._exit``,
    libc's ``_exit``, ``exec``, an ``atexit`` hook or a thread calling
    ``os._exit``), each with status 0. So the check runs in a child, which
    sends its status down a pipe before it exits; a child that ends without
    sending one ends the gate with status 2. Without ``fork`` (Windows) the
    check runs in this process, behind :func:`~orthoproof.gate.calling.trapped_os_exit`.
    """
    if not hasattr(os, "fork"):
        return run_check(args, console)
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: check, report the status, leave at once
        os.close(read_end)
        status = EXIT_USAGE
        try:
            status = run_check(args, console)
        except KeyboardInterrupt:
            status = EXIT_INTERRUPTED
        finally:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
                sys.stderr.flush()
            os.write(write_end, bytes([status]))
            _REAL_EXIT(status)  # no atexit hook or thread of the user's runs after
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            reported = pipe.read()
    except KeyboardInterrupt:
        os.waitpid(pid, 0)
        Console(stderr=True).print(Text("interrupted; no report was written"))
        return EXIT_INTERRUPTED
    os.waitpid(pid, 0)
    if len(reported) != 1:
        _print_error(
            Console(stderr=True, width=130),
            "the checked code ended the process before the check finished "
            "(os._exit, exec or a signal); a check cannot pass when the code "
            "under it exits",
        )
        return EXIT_USAGE
    return reported[0]


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry (``python -m orthoproof.gate check ...``).

    Called with the command line's own arguments (``argv`` None), it owns the
    process, and the check runs in a child (:func:`run_check_in_child`).
    """
    parser = argparse.ArgumentParser(prog="orthoproof")
    add_check_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    console = Console() if sys.stdout.isatty() else Console(width=130)
    try:
        if argv is None:
            return run_check_in_child(args, console)
        return run_check(args, console)
    except KeyboardInterrupt:
        Console(stderr=True).print(Text("interrupted; no report was written"))
        return EXIT_INTERRUPTED
