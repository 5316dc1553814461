"""The layers of docs/architecture.md, held by the import-linter contracts in pyproject.toml."""

import ast
import shutil
import subprocess
import sys
import tomllib
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


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["type"] == "layers")["layers"]


def _layered_modules() -> set[str]:
    return {name.strip() for layer in _layers() for name in layer.split("|")}


def test_every_module_of_the_app_sits_in_a_layer():
    """A new top-level module or package of app/ is placed in the layers, not left outside
    every contract (where it could import anything and be imported by anything)."""
    app = ROOT / "app"
    modules = {p.stem for p in app.glob("*.py")} - {"__init__", "__main__"}
    packages = {p.parent.name for p in app.glob("*/__init__.py")}
    missing = sorted({f"app.{name}" for name in modules | packages} - _layered_modules())
    assert not missing, f"in no layer of [tool.importlinter] in pyproject.toml: {missing}"


def test_the_docs_draw_the_layers_the_contract_holds():
    """docs/architecture.md's diagram names every layer, in order, as pyproject.toml has it."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    diagram = text.split("```\n", 2)[1]
    drawn = [line.split("   ")[0].strip() for line in diagram.splitlines()]
    assert drawn == [" ".join(layer.split()) for layer in _layers()]


BLUEPRINTS = ("admin", "public", "api", "auth")


def _imported(node) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [f"{node.module}.{a.name}" for a in node.names]
    return [a.name for a in node.names] if isinstance(node, ast.Import) else []


def _sql_in_blueprints(root=ROOT) -> list[str]:
    """Every place a blueprint module reaches the database itself: ``db`` imported,
    ``db.session``/``db.select`` used, or SQLAlchemy imported."""
    found = []
    for package in BLUEPRINTS:
        for path in sorted((root / "app" / package).rglob("*.py")):
            where = path.relative_to(root).as_posix()
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                for name in _imported(node):
                    if name == "app.extensions.db" or name.split(".")[0] == "sqlalchemy":
                        found.append(f"{where}:{node.lineno} imports {name}")
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in ("session", "select")
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "db"
                ):
                    found.append(f"{where}:{node.lineno} uses db.{node.attr}")
    return sorted(found)


def test_blueprints_read_through_domain_readers_never_the_session():
    """Blueprints parse, open the unit of work and call domain verbs and readers; a query in
    a view is a reader missing from its domain."""
    assert _sql_in_blueprints() == []


def test_a_query_in_a_blueprint_is_found(tmp_path):
    """The scan bites: a view that imports db, or SQLAlchemy, and queries is named."""
    probe = tmp_path / "app" / "api" / "v1" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(
        "from sqlalchemy.orm import selectinload\n"
        "from app.extensions import csrf, db\n"
        "x = db.session.scalar(db.select(1))\n"
    )
    assert _sql_in_blueprints(tmp_path) == [
        "app/api/v1/probe.py:1 imports sqlalchemy.orm.selectinload",
        "app/api/v1/probe.py:2 imports app.extensions.db",
        "app/api/v1/probe.py:3 uses db.select",
        "app/api/v1/probe.py:3 uses db.session",
    ]
