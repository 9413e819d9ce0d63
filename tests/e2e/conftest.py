"""Browser journeys: Playwright for Python driving Debian's chromium (never a downloaded browser)."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NTM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-gpu", "--disable-dev-shm-usage"]
# The README's screenshots are refreshed only when asked (NTM_SCREENSHOTS=1 make test); otherwise the
# journeys still take them, in a temporary directory, so a test run leaves the checkout as it was.
SHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get("NTM_SCREENSHOTS") == "1"
         else Path(tempfile.gettempdir()) / "ntm-screenshots")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def world(transactional_db):
    from ntm.testing import build_world
    from ntm.units.loader import load_units

    load_units()  # transactional tests start from an empty database
    return build_world(communes=15)


@pytest.fixture
def page_as(browser, live_server, world):
    """Opens a page signed in as a demo user. Every page opened is watched: a Content-Security-
    Policy violation (inline script, eval, a foreign origin) or an uncaught script error fails the
    test at teardown."""
    contexts, problems = [], []

    def open_as(username, width=1366, height=900):
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/dang-nhap/")
        page.fill("#id_username", username)
        page.fill("#id_password", "ntm-demo")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.base = live_server.url
        return page

    yield open_as
    for ctx in contexts:
        ctx.close()
    assert not problems, "\n".join(problems)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # let charts finish their entry animation
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
