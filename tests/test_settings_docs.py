"""The settings the docs name are the settings Crier reads (app/config_table.py), and back."""

import re
from pathlib import Path

from app.config import Config
from app.config_table import BY_NAME, SETTINGS

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Upper-case names in the docs that are not settings of the application.
NOT_SETTINGS = {
    *("HOST", "PORT", "WEB_WORKERS", "WEB_THREADS", "WEB_NICE"),  # `flask web`'s options
    "WORKER_LANE_THREADS",  # `flask worker --lane-threads`
    "PROMETHEUS_MULTIPROC_DIR",  # read by prometheus_client itself
    *("CRIER_PASSWORD", "CRIER_TEST_REDIS_URL", "CRIER_TEST_CHROMIUM", "CRIER_UPDATE_GOLDEN"),
    *("SEV1", "SEV2", "SEV3", "SEV4", "SEV5", "GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"),
}
# Flask and extension settings the docs may mention, given as they are.
FLASK_SETTINGS = {"SESSION_COOKIE_NAME", "PERMANENT_SESSION_LIFETIME"}


def _documented_table() -> list[str]:
    text = (ROOT / "docs" / "configuration.md").read_text()
    return re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", text, flags=re.M)


def test_the_configuration_page_lists_exactly_the_settings_in_order():
    assert _documented_table() == [s.name for s in SETTINGS]


def test_every_setting_named_in_the_docs_exists():
    unknown = set()
    for path in DOCS:
        for name in re.findall(
            r"`((?:CRIER_)?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)[`=<]", path.read_text()
        ):
            if name in NOT_SETTINGS or name.removeprefix("CRIER_") in FLASK_SETTINGS:
                continue
            if name.removeprefix("CRIER_") not in BY_NAME:
                unknown.add(f"{path.relative_to(ROOT)}: {name}")
    assert not unknown, sorted(unknown)


def test_every_default_is_the_one_the_code_uses():
    for setting in SETTINGS:
        assert getattr(Config, setting.name) == setting.default, setting.name


def test_every_setting_of_the_config_class_is_in_the_table():
    internal = {"SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SQLALCHEMY_ENGINE_OPTIONS",
                "RATELIMIT_STORAGE_URI", "HUEY_IMMEDIATE"}  # fmt: skip
    names = {n for n in vars(Config) if n.isupper()} - internal
    assert names == set(BY_NAME)


def test_every_setting_is_read_by_the_code():
    """A setting in the table that nothing reads would be a documented knob that does nothing."""
    by_flask = {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "MAX_CONTENT_LENGTH", "SESSION_COOKIE_SECURE"}
    code = "".join(
        p.read_text()
        for p in (ROOT / "app").rglob("*.py")
        if p.name not in ("config_table.py",) and p.parent.name != "migrations"
    )
    quoted = {m for q in ('"', "'") for m in re.findall(q + r"([A-Z][A-Z0-9_]+)" + q, code)}
    unread = [s.name for s in SETTINGS if s.name not in by_flask | quoted]
    assert not unread
