"""The rule modules are pure Python: they import nothing from Django, directly or not.

Each module is imported in a fresh interpreter, from the project root, with no
DJANGO_SETTINGS_MODULE in the environment, and must leave no `django` module loaded.
Each file is also parsed to check it has no `import django` / `from django` statement.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

MODULES = [
    pytest.param("segments.assign", id="segments.assign"),
    pytest.param("prioritization.rules", id="prioritization.rules"),
    pytest.param("lib.fiscal", id="lib.fiscal"),
    pytest.param("lib.dates", id="lib.dates"),
    pytest.param("metrics.formulas", id="metrics.formulas"),
    pytest.param("rhythm.workload", id="rhythm.workload"),
]
OPTIONAL = {"metrics.formulas", "rhythm.workload"}  # checked once they exist

CHECK = (
    "import sys; import {module}; "
    "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
    "assert not loaded, loaded"
)


def module_path(module: str) -> Path:
    return ROOT.joinpath(*module.split(".")).with_suffix(".py")


def require(module: str) -> Path:
    path = module_path(module)
    if not path.exists():
        if module in OPTIONAL:
            pytest.skip(f"{path.relative_to(ROOT)} does not exist yet")
        pytest.fail(f"{path.relative_to(ROOT)} is missing")
    return path


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_no_django_even_transitively(module):
    """Importing the module in a clean interpreter loads no django module."""
    require(module)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    completed = subprocess.run(
        [sys.executable, "-c", CHECK.format(module=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr


def django_imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                alias.name
                for alias in node.names
                if alias.name == "django" or alias.name.startswith("django.")
            ]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and (node.module == "django" or node.module.startswith("django."))
        ):
            found.append(node.module)
    return found


@pytest.mark.parametrize("module", [p.values[0] for p in MODULES])
def test_module_source_has_no_django_import_statement(module):
    """No `import django...` or `from django... import` anywhere in the file."""
    path = require(module)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert django_imports(tree) == []


def test_ast_check_would_catch_a_django_import():
    """The statement check itself notices both import forms, even nested in a function."""
    source = "import os\nimport django.conf\ndef f():\n    from django.db import models\n"
    assert django_imports(ast.parse(source)) == ["django.conf", "django.db"]
