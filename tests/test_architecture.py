"""The layout's promises, read from the modules' own import statements (every import, also those inside
functions): the engine is pure, adapters never reach back up into orchestration, and the command line is a
thin layer that nothing else imports."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sheetreturns"
ORCHESTRATION = {"sheetreturns.api", "sheetreturns.loading", "sheetreturns.config_check"}
ADAPTERS = ("sheetreturns.excel", "sheetreturns.google_sheets", "sheetreturns.emails", "sheetreturns.intake", "sheetreturns.imports",
            "sheetreturns.summary", "sheetreturns.sheet", "sheetreturns.settings", "sheetreturns.engine")
# What the pure engine may use from the standard library: no files, network, processes or clock
# (sys for sys.intern: the engine never touches sys.stdout or sys.argv, see test_the_engine_never_prints_or_opens_files).
PURE_STDLIB = {"__future__", "collections", "dataclasses", "datetime", "decimal", "enum", "functools", "itertools",
               "math", "re", "sys", "types", "typing", "unicodedata", "operator", "string", "fractions", "collections.abc"}
# Libraries the engine may use: pure functions over their own bundled data, no I/O. Babel gives each
# currency's decimals and symbols and month and weekday names (CLDR); email-validator checks international
# addresses (called without its DNS lookups).
PURE_LIBRARIES = {"babel.numbers", "babel.dates", "email_validator"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, top_level_only: bool = False) -> set[str]:
    """The modules this file imports (relative imports resolved): all of them, or those run at import time."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            for alias in node.names:  # `from . import x` may import a submodule
                if (PACKAGE.parent / (target + "." + alias.name).replace(".", "/")).with_suffix(".py").exists():
                    found.add(f"{target}.{alias.name}")
    return found


GRAPH = {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def ours(imports: set[str]) -> set[str]:
    return {i for i in imports if i == "sheetreturns" or i.startswith("sheetreturns.")}


def test_the_graph_was_read():
    assert "sheetreturns.api" in GRAPH and "sheetreturns.cli.sync" in GRAPH
    assert "sheetreturns.api" in GRAPH["sheetreturns.cli.sync"]


def test_nothing_outside_the_command_line_imports_it():
    offenders = {m: sorted(i for i in ours(deps) if i.startswith("sheetreturns.cli"))
                 for m, deps in GRAPH.items() if not m.startswith(("sheetreturns.cli", "sheetreturns.__main__"))}
    assert {m: d for m, d in offenders.items() if d} == {}


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_adapters_never_import_orchestration(adapter):
    offenders = {m: sorted(ours(deps) & ORCHESTRATION) for m, deps in GRAPH.items()
                 if m == adapter or m.startswith(adapter + ".")}
    assert {m: d for m, d in offenders.items() if d} == {}


def test_the_engine_is_pure():
    for module, deps in GRAPH.items():
        if not module.startswith("sheetreturns.engine"):
            continue
        for dep in deps:
            if dep.startswith("sheetreturns"):
                assert dep.startswith("sheetreturns.engine") or dep == "sheetreturns.errors", (module, dep)
            else:
                assert dep in PURE_STDLIB or dep in PURE_LIBRARIES, (module, dep)


def test_every_command_module_calls_the_api():
    commands = [m for m in GRAPH if m.startswith("sheetreturns.cli.") and not m.rpartition(".")[2].startswith(
        ("render", "options", "exit_codes", "progress_bar", "run_loop", "console"))]
    assert len(commands) >= 7
    for module in commands:
        if module == "sheetreturns.cli.schedule":  # runs `sheetreturns sync` in child processes
            continue
        assert "sheetreturns.api" in GRAPH[module], module


@pytest.mark.slow
def test_no_import_cycles_at_import_time():
    """Module-level imports only: imports inside functions run later, when every module is loaded."""
    top = {module_name(p): {d for d in imports_of(p, top_level_only=True) if d in GRAPH}
           for p in PACKAGE.rglob("*.py")}
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for dep in top[node]:
            if state.get(dep) == "open" and not node.startswith(dep + "."):  # a package's own __init__ is fine
                raise AssertionError("import cycle: " + " -> ".join([*trail, node, dep]))
            if dep not in state:
                visit(dep, [*trail, node])
        state[node] = "done"

    for node in sorted(top):
        if node not in state:
            visit(node, [])


def test_the_engine_never_prints_or_opens_files():
    for path in (PACKAGE / "engine").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("print(", "open(", "sys.stdout", "sys.stderr", "sys.argv", "date.today(", "datetime.now("):
            assert word not in text, (path.name, word)


def test_every_groupby_of_the_summary_says_observed_true():
    """The Summary's text columns are categorical: pandas 2 groups them with every category (unseen ones as
    empty rows) unless told observed=True, pandas 3 without. Said each time, the tables are the same on both."""
    calls = []
    for path in (PACKAGE / "summary").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "groupby":
                observed = [k.value for k in node.keywords if k.arg == "observed"]
                calls.append((f"{path.name}:{node.lineno}", observed))
    assert calls, "the Summary groups its tables with pandas' groupby"
    missing = [where for where, observed in calls
               if not (len(observed) == 1 and isinstance(observed[0], ast.Constant) and observed[0].value is True)]
    assert not missing, missing
