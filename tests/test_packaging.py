import os
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from hatchling.builders.wheel import WheelBuilder

from app.config import VERSION
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_templates_static_and_migrations(tmp_path):
    wheel = next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert Path(wheel).name.startswith(f"crier-{VERSION}-")  # one version: app.config's
    assert "app/templates/base.html" in names
    assert "app/static/crier.css" in names
    assert "app/migrations/env.py" in names
    assert any(n.startswith("app/migrations/versions/") and n.endswith(".py") for n in names)


def _venv_outside_the_checkout(tmp_path, wheel) -> Path:
    """A fresh venv holding only the wheel, with our venv's packages on its path but not its
    .pth files (so not the editable install's path to this checkout)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    ours = next(p for p in map(Path, sys.path) if p.name == "site-packages" and p.is_dir())
    (site / "deps.pth").write_text(f"{ours}\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--quiet", "--no-deps", "--no-index", wheel],
        check=True, timeout=300,
    )  # fmt: skip
    granian = venv / "bin" / "granian"  # the server, run by this venv's Python
    granian.write_text(f"#!{venv / 'bin' / 'python'}\nfrom granian import cli\ncli.entrypoint()\n")
    granian.chmod(0o755)
    return venv


def test_installed_crier_serves_from_any_folder(tmp_path):
    """``pip install .`` then ``crier web`` elsewhere: the server finds the app in the
    installed package, not in a checkout's wsgi.py."""
    wheel = next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    venv = _venv_outside_the_checkout(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "EMAIL_BACKEND": "console",
    }
    crier = str(venv / "bin" / "crier")

    def run(*args):
        return subprocess.run(args, cwd=elsewhere, env=env, capture_output=True, text=True,
                              timeout=120)  # fmt: skip

    where = run(str(venv / "bin" / "python"), "-c", "import app, sys; print(app.__file__)")
    assert where.stdout.startswith(str(venv)), where  # the installed copy, not the checkout
    assert run(crier, "--help").returncode == 0
    assert run(crier, "db", "upgrade").returncode == 0
    port = free_port()
    web = subprocess.Popen(
        [crier, "web", "--port", str(port), "--workers", "1", "--nice", "0"],
        cwd=elsewhere, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                if web.poll() is not None:
                    pytest.fail(f"crier web stopped: {web.communicate()[0]}")
                assert time.monotonic() < deadline, "crier web did not answer"
                time.sleep(0.2)
    finally:
        web.terminate()
        web.communicate(timeout=30)
