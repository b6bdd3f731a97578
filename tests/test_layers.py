"""The one-way layers of pyproject.toml's import-linter contract hold, and an upward import breaks them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
LAYERED_PACKAGES = ("evtracker", "public", "ingest", "sources", "companies", "dataio", "core")


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_layers_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for package in LAYERED_PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    # core is the bottom layer: it may not know the reader side.
    with (tmp_path / "core" / "editorial.py").open("a", encoding="utf-8") as module:
        module.write("\nfrom public import charts  # noqa: E402, F401\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1
    assert "core is not allowed to import public" in result.stdout
    assert "core.editorial -> public.charts" in result.stdout
