"""The layers of docs/architecture.md, held by the import-linter contracts in pyproject.toml."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports(cwd=ROOT):
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a test dependency: pip install -e '.[test]'"
    return subprocess.run(
        [exe, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_import_contracts_are_kept():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_domain_importing_the_queue_breaks_a_contract(tmp_path):
    """The contracts bite: a domain that imports ``app.tasks`` is named in the failure."""
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "app" / "fanout" / "_contract_probe.py").write_text("from app import tasks\n")
    result = _lint_imports(cwd=tmp_path)
    assert result.returncode != 0
    assert "app.fanout._contract_probe -> app.tasks" in result.stdout
