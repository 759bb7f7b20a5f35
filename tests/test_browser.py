"""The HTML report in a real browser: headless Chromium from the Debian packages.

Skipped where Chromium is absent. Chromium runs only on a local file:// page,
without sandbox (containers rarely allow one), GPU, background networking,
component updates, sync or first-run set-up, and with a fresh profile.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from orthoproof.report import rerender_reports

CHROMIUM = Path("/usr/bin/chromium")
COMMITTED = Path(__file__).resolve().parent.parent / "reports" / "report.json"
TIMEOUT = 120
#: A blank or failed page compresses to a few kilobytes.
MIN_PNG_BYTES = 10_000

pytestmark = pytest.mark.slow


def _chromium(
    page: Path, profile: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *arguments,
        page.as_uri(),
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    out = tmp_path_factory.mktemp("report")
    return rerender_reports(COMMITTED, out)["html"]


def test_screenshot_shows_a_rendered_page(page: Path, tmp_path: Path) -> None:
    """The page renders to a screenshot with real content, logging no script error."""
    png = tmp_path / "report.png"
    result = _chromium(
        page, tmp_path / "profile", f"--screenshot={png}", "--window-size=1280,2000"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert png.exists()
    assert png.stat().st_size > MIN_PNG_BYTES
    assert _distinct_colours(png) >= 8
    assert "Uncaught" not in result.stderr
    assert "net::ERR_" not in result.stderr


def test_dumped_dom_has_the_overview_and_the_formulas(
    page: Path, tmp_path: Path
) -> None:
    """Chromium's DOM of the page holds the verdict grid, MathML and the plots."""
    result = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert '<h2 id="overview">' in dom
    assert '<table class="glance">' in dom
    assert "Every verdict at a glance" in dom
    assert "<math" in dom
    assert "<svg" in dom
    assert "Uncaught" not in result.stderr


def _distinct_colours(png: Path) -> int:
    """Number of distinct RGB colours in a screenshot (matplotlib reads PNG)."""
    import matplotlib.image
    import numpy as np

    pixels = matplotlib.image.imread(png)[..., :3]
    return len(np.unique(pixels.reshape(-1, 3), axis=0))
