"""vet_common is the services' runtime library: it must work where vet-devtools (the local stack, test support)
is not installed. Its one reference to vet_devtools is the optional hook that adds `vet up/down/status`."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import typer

import vet_common
from vet_common import cli

SOURCE = Path(vet_common.__file__).resolve().parent
OPERATOR_COMMANDS = [
    "token",
    "rebuild",
    "verify",
    "verify-archive",
    "migrate-enrolment-roll",
    "import",
    "backup",
    "restore",
]
STACK_COMMANDS = ["up", "down", "status", "demo"]
STACK_GROUPS = ["federation"]  # typer lists groups after the commands

# Run in a fresh interpreter in which `import vet_devtools` fails as if vet-devtools were not installed;
# import every module of vet_common and report what failed, whether anything of vet_devtools got loaded
# anyway, and which commands the `vet` app has.
WITHOUT_DEVTOOLS = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys, traceback

    class RefuseDevtools:
        def find_spec(self, name, path=None, target=None):
            if name == "vet_devtools" or name.startswith("vet_devtools."):
                raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
            return None

    sys.meta_path.insert(0, RefuseDevtools())
    import vet_common
    failures = {}
    for module in pkgutil.walk_packages(vet_common.__path__, "vet_common."):
        try:
            importlib.import_module(module.name)
        except BaseException:
            failures[module.name] = traceback.format_exc()
    import typer
    from vet_common.cli import app
    print(json.dumps({
        "failures": failures,
        "loaded": sorted(m for m in sys.modules if m == "vet_devtools" or m.startswith("vet_devtools.")),
        "modules": sorted(m for m in sys.modules if m.startswith("vet_common.")),
        "commands": list(typer.main.get_command(app).commands),
    }))
    """
)


def test_every_vet_common_module_imports_without_vet_devtools() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", WITHOUT_DEVTOOLS], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["failures"] == {}, "\n".join(report["failures"].values())
    assert report["loaded"] == []
    expected = {f"vet_common.{path.stem}" for path in SOURCE.glob("*.py") if path.stem != "__init__"}
    assert expected <= set(report["modules"]), "the walk missed modules"
    # An operator's install keeps the operator commands; the local stack's are simply absent.
    assert report["commands"] == OPERATOR_COMMANDS


def test_vet_common_refers_to_vet_devtools_only_in_the_cli_hook() -> None:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if not any(name == "vet_devtools" or name.startswith("vet_devtools.") for name in names):
                continue
            scope = node
            while scope in parents and not isinstance(scope, ast.FunctionDef):
                scope = parents[scope]
            where = scope.name if isinstance(scope, ast.FunctionDef) else "<module>"
            found.append((path.relative_to(SOURCE).as_posix(), where))
    assert found == [("cli.py", "_add_devtools_commands")]


def test_with_vet_devtools_the_vet_app_has_the_stack_commands_first() -> None:
    assert list(typer.main.get_command(cli.app).commands) == STACK_COMMANDS + OPERATOR_COMMANDS + STACK_GROUPS
