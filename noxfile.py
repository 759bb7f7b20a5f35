"""nox sessions: tests, verify, lint, typecheck, slow, bench."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.default_venv_backend = "venv"

PYTHON = "3.11"


def _versions(session: nox.Session) -> None:
    session.run(
        "python",
        "-c",
        "import sys, numpy, sympy, mpmath, gmpy2, flint, hypothesis; "
        "print('python', sys.version.split()[0], 'numpy', numpy.__version__, "
        "'sympy', sympy.__version__, 'mpmath', mpmath.__version__, "
        "'gmpy2', gmpy2.version(), 'flint', flint.__version__, "
        "'hypothesis', hypothesis.__version__)",
    )


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the fast test suite (the README's test command)."""
    session.install("-e", ".[test]")
    _versions(session)
    session.run(
        "pytest",
        "-m",
        "not slow",
        *session.posargs,
        env={"ORTHOPROOF_HYPOTHESIS_PROFILE": "ci"},
    )


@nox.session(python=PYTHON)
def slow(session: nox.Session) -> None:
    """Run the slow tests only."""
    session.install("-e", ".[test]")
    _versions(session)
    session.run("pytest", "-m", "slow", *session.posargs)


@nox.session(python=PYTHON)
def verify(session: nox.Session) -> None:
    """Settle every claim on the built-in real input and write reports/."""
    session.install("-e", ".")
    _versions(session)
    session.run("orthoproof", "verify", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", "orthoproof", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "orthoproof", "tests", "noxfile.py")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy over the package."""
    session.install("-e", ".", "mypy>=1.10")
    session.run("mypy", "orthoproof")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Print float64 / mpfr backend / mpmath.matrix ratios measured side by side."""
    session.install("-e", ".")
    _versions(session)
    session.run("python", "-m", "orthoproof.bench", *session.posargs)


@nox.session(python=PYTHON)
def browser(session: nox.Session) -> None:
    """Render a report in headless Chromium (skips where Chromium is absent)."""
    session.install("-e", ".[test]")
    _versions(session)
    session.run("pytest", "tests/test_browser.py", *session.posargs)


@nox.session(python=PYTHON)
def torch(session: nox.Session) -> None:
    """Classify torch.optim's optimisers against FACTS.md."""
    session.install("-e", ".[test,torch]")
    _versions(session)
    session.run("pytest", "tests/test_torch_optim.py", *session.posargs)


@nox.session(python=PYTHON)
def optax(session: nox.Session) -> None:
    """Classify optax's transformations against FACTS.md."""
    session.install("-e", ".[test,optax]")
    _versions(session)
    session.run("pytest", "tests/test_optax.py", *session.posargs)
