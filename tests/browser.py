"""Helpers shared by the browser tests."""

from pathlib import Path

SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def login(page, live_server, user, password: str = "pw") -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")  # not the language switch in the top bar


def shot(page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot of a main screen for the README (docs/screenshots/)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)
