import zipfile
from pathlib import Path

from hatchling.builders.wheel import WheelBuilder

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_templates_static_and_migrations(tmp_path):
    wheel = next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "app/templates/base.html" in names
    assert "app/static/crier.css" in names
    assert "app/migrations/env.py" in names
    assert any(n.startswith("app/migrations/versions/") and n.endswith(".py") for n in names)
