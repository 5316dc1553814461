"""The systemd units in deploy/systemd are ones systemd accepts as written."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
INSTALLED = "/opt/crier/venv/bin/crier"  # where the units expect `pip install .` to put it


def test_there_is_a_unit_for_the_web_and_for_the_worker():
    assert [u.name for u in UNITS] == ["crier-web.service", "crier-worker.service"]
    for unit in UNITS:
        command = unit.stem.removeprefix("crier-")
        assert f"ExecStart={INSTALLED} {command} " in unit.read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze absent")
def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path):
    crier = Path(sys.executable).parent / "crier"  # the same program, where this venv has it
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, str(crier)))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(map(str, tmp_path.glob("*")))],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""  # unknown keys are only warnings: none either
