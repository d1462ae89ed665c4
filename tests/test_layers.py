"""The shape of the code (DESIGN 13): imports only go down the layers, apps never import
each other both ways, and the pure rule modules load no Django.

Every project module outside tests and migrations is read as source (its `import` and
`from ... import` statements, relative ones resolved, including those inside functions).

1. pure (layer 1): `lib/` and every module that, with everything of ours it imports,
   needs no Django. They may import only other pure modules. Which modules are pure is
   discovered, not listed: a module that could be pure but is missing from `PURE` fails,
   so none can be left out of the clean-interpreter check below.
2. domain apps, in `DOMAIN_ORDER`: each may import itself, pure modules and the apps
   before it, never one after it.
3. orchestration; 4. the faces (`FACES_ORDER`), then the project package and the
   benchmarks. A module may import only from its own package or a lower one.

Separately, the package-level graph (pure modules counted with their package) has no
pair of packages importing each other.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# From the bottom up. A package's rank is its place in this list.
DOMAIN_ORDER = [
    "core",
    "people",
    "accounts",
    "segments",
    "prioritization",
    "rhythm",
    "metrics",
    "health",
    "triage",
    "ingestion",
]
ORCHESTRATION = ["orchestration"]
FACES_ORDER = ["demo", "dashboard", "portal", "api", "tam_portal", "bench"]
PACKAGE_ORDER = ["lib", *DOMAIN_ORDER, *ORCHESTRATION, *FACES_ORDER]
LAYER_OF = {
    "lib": 1,
    **dict.fromkeys(DOMAIN_ORDER, 2),
    **dict.fromkeys(ORCHESTRATION, 3),
    **dict.fromkeys(FACES_ORDER, 4),
}

# The pure modules (DESIGN 13, layer 1). The test below fails if one is missing.
PURE = {
    "ingestion.cells",
    "ingestion.formats",
    "ingestion.kind_formats",
    "lib.dates",
    "lib.text_bounds",
    "lib.fiscal",
    "lib.rule_sets",
    "lib.spreadsheet",
    "lib.words",
    "segments.assign",
    "segments.codes",
    "prioritization.facts",
    "prioritization.rule_sets",
    "prioritization.rankings",
    "prioritization.rules",
    "prioritization.reason_labels",
    "prioritization.fact_words",
    "metrics.formulas",
    "metrics.formulas.facts",
    "metrics.formulas.onboarding_clocks",
    "metrics.formulas.success_plans",
    "metrics.formulas.webinars_surveys",
    "metrics.formulas.adoption",
    "metrics.formulas.arr",
    "metrics.formulas.totals",
    "metrics.clocks",
    "metrics.target_words",
    "portal.today_rules",
    "rhythm.workload",
    "rhythm.cadence",
    "rhythm.touchpoints",
    "health.scorecard",
    "health.movement",
    "health.explanation",
    "dashboard.mix",
    "accounts.csv_cells",
    "accounts.csv_format",
    "accounts.csv_reading",
    "accounts.timeline_rules",
    "api.tokens",
    "orchestration.results",
}
# Django-free but not rule modules: configuration read by Django, Celery or gunicorn
# themselves, and the worker's heartbeat (a Celery signal handler).
NOT_RULES = {
    "tam_portal.settings",
    "tam_portal.celery",
    "tam_portal.worker_heartbeat",
    "gunicorn.conf",
    "manage",
}


def project_modules() -> dict[str, Path]:
    modules = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        parts = relative.parts
        if parts[0] in {"tests", ".venv", "static", "screenshots"} or "migrations" in parts:
            continue
        if parts[0].startswith("."):
            continue
        name = ".".join(relative.with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


MODULES = project_modules()


def package_of(module: str) -> str:
    return module.split(".")[0]


def imports_of(module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import statement of `module`, relative ones
    resolved; `from x import y` counts as `x.y` when that is one of our modules."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here[: len(here) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if candidate in MODULES else base))
    return found


def ours(imported: str) -> str | None:
    """The project module an import names (the longest one that matches), if ours."""
    parts = imported.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in MODULES:
            return name
    return None


# Django itself and the libraries that cannot be imported without it.
DJANGO_BOUND = ("django", "rest_framework", "drf_spectacular")


def is_django(imported: str) -> bool:
    return any(imported == name or imported.startswith(f"{name}.") for name in DJANGO_BOUND)


def defines_something(module: str) -> bool:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        for node in tree.body
    )


def django_free_modules() -> set[str]:
    """Modules that import nothing from Django, directly or through our own modules."""
    uses_django = {
        module for module in MODULES if any(is_django(name) for _, name in imports_of(module))
    }
    changed = True
    while changed:
        changed = False
        for module in MODULES:
            if module in uses_django:
                continue
            if any(ours(name) in uses_django for _, name in imports_of(module)):
                uses_django.add(module)
                changed = True
    return set(MODULES) - uses_django


def pure(module: str) -> bool:
    return module in PURE or package_of(module) == "lib"


def layer_violations() -> list[str]:
    problems = []
    for module in sorted(MODULES):
        source_package = package_of(module)
        if source_package not in LAYER_OF:
            continue  # manage.py
        for line, imported in imports_of(module):
            target = ours(imported)
            if target is None or target == module:
                continue
            where = f"{MODULES[module].relative_to(ROOT)}:{line} imports {imported}"
            target_package = package_of(target)
            if pure(module):
                if not pure(target):
                    problems.append(f"{where}: a pure module may import only pure modules")
                continue
            if pure(target) or target_package == source_package:
                continue
            if PACKAGE_ORDER.index(target_package) > PACKAGE_ORDER.index(source_package):
                problems.append(
                    f"{where}: {target_package} (layer {LAYER_OF[target_package]}) sits above "
                    f"{source_package} (layer {LAYER_OF[source_package]})"
                )
    return problems


def two_way_dependencies() -> list[str]:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module in MODULES:
        for line, imported in imports_of(module):
            target = ours(imported)
            if target and package_of(target) != package_of(module):
                edges[(package_of(module), package_of(target))].append(
                    f"{MODULES[module].relative_to(ROOT)}:{line} imports {imported}"
                )
    return [
        f"{a} <-> {b}: {edges[(a, b)][0]}; {edges[(b, a)][0]}"
        for (a, b) in sorted(edges)
        if a < b and (b, a) in edges
    ]


def test_imports_only_go_down_the_layers():
    assert layer_violations() == []


def test_no_two_apps_import_each_other():
    assert two_way_dependencies() == []


def test_every_package_has_a_layer():
    # manage.py and gunicorn.conf.py are entry points, not packages.
    packages = {package_of(module) for module in MODULES} - {"manage", "gunicorn"}
    assert packages <= set(LAYER_OF), f"not placed in a layer: {packages - set(LAYER_OF)}"


def test_every_module_that_could_be_pure_is_declared_pure():
    """A new rule module with no Django is found here, so the purity check covers it."""
    free = django_free_modules()
    candidates = {
        module for module in free if defines_something(module) and package_of(module) != "bench"
    } - NOT_RULES
    assert candidates - PURE - {m for m in MODULES if package_of(m) == "lib"} == set()


def test_every_declared_pure_module_exists_and_is_django_free():
    free = django_free_modules()
    assert set(MODULES) >= PURE, f"missing: {PURE - set(MODULES)}"
    assert free >= PURE, f"import Django: {PURE - free}"


CHECK = (
    "import sys; import {module}; "
    "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
    "assert not loaded, loaded"
)


@pytest.mark.parametrize(
    "module", sorted(PURE | {m for m in MODULES if package_of(m) == "lib" and m != "lib"})
)
def test_pure_module_loads_no_django_in_a_clean_interpreter(module):
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


def test_the_checks_catch_an_upward_import_and_a_cycle(tmp_path, monkeypatch):
    """The checks themselves notice a domain app importing a face, a pure module
    importing Django, and two apps importing each other."""
    fake = {
        "accounts.models": "from portal.book import book\n",
        "portal.book": "from accounts.models import Account\ndef book(): pass\n",
        "segments.assign": "def f():\n    from django.db import models\n",
    }
    for name, source in fake.items():
        path = tmp_path.joinpath(*name.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(
        sys.modules[__name__],
        "MODULES",
        {name: tmp_path.joinpath(*name.split(".")).with_suffix(".py") for name in fake},
    )
    violations = layer_violations()
    assert any("accounts/models.py:1 imports portal.book" in v for v in violations)
    assert two_way_dependencies() == [
        "accounts <-> portal: accounts/models.py:1 imports portal.book; "
        "portal/book.py:1 imports accounts.models"
    ]
    assert "segments.assign" not in django_free_modules()
