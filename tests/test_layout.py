"""The package's rooms and the way its imports run: downwards only, and never in a circle.

Every ``import`` and ``from ... import`` of the package's own modules counts, those inside functions included: an
import deferred to call time still ties the two modules together.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import notify_schemas

PACKAGE = Path(notify_schemas.__file__).parent

# Floors, lowest first. A module may import from its own floor and the floors below; broker and authoring share a
# floor and do not import each other.
FLOORS: list[tuple[str, set[str]]] = [
    ("ground", {"notify_schemas.values", "notify_schemas.errors"}),
    ("core", set()),  # every module at the top of the package but the ones named elsewhere, and drivers/
    ("api", {"notify_schemas"}),
    ("broker", set()),
    ("authoring", set()),
    ("conformance", set()),
    ("cli", {"notify_schemas.__main__"}),
]
RANK = {"ground": 0, "core": 1, "api": 2, "broker": 3, "authoring": 3, "conformance": 4, "cli": 5}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "exec" not in p.relative_to(PACKAGE).parts}


MODULES = _modules()


def _floor(module: str) -> str:
    for name, members in FLOORS:
        if module in members:
            return name
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("broker", "authoring", "conformance", "cli"):
        return parts[1]
    return "core"


def _imports(module: str) -> set[str]:
    """The package's modules that ``module`` imports, wherever in the file."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    is_package = MODULES[module].name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from a.b import c` imports the module a.b.c when there is one, else a name of a.b.
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        found |= {n for n in names if n in MODULES and n != module}
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def test_the_rooms_exist_and_hold_their_parts() -> None:
    floors = {module: _floor(module) for module in MODULES}
    assert floors["notify_schemas.validation"] == "core"
    assert floors["notify_schemas.drivers.log"] == "core"
    assert floors["notify_schemas.broker.listener"] == "broker"
    assert floors["notify_schemas.broker.oslo_driver"] == "broker"
    assert floors["notify_schemas.authoring.compat"] == "authoring"
    assert floors["notify_schemas.conformance.runner"] == "conformance"
    assert floors["notify_schemas.cli.commands"] == "cli"


def test_the_repository_keeps_no_python_outside_the_package_namespace() -> None:
    # The top-level conformance/ folder is language-neutral: a Python module there would install as a top-level
    # `conformance`, a name another PyPI distribution already has.
    checkout = Path(__file__).resolve().parent.parent / "conformance"
    if checkout.is_dir():
        assert not list(checkout.rglob("*.py"))


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_downwards(module: str) -> None:
    here = _floor(module)
    upwards = []
    for target in sorted(GRAPH[module]):
        there = _floor(target)
        sideways = RANK[there] == RANK[here] and there != here
        if RANK[there] > RANK[here] or sideways:
            upwards.append(f"{target} ({there})")
    assert not upwards, f"{module} ({here}) imports from a floor above or beside it: {', '.join(upwards)}"


def test_no_import_circles() -> None:
    # Tarjan's strongly connected components: any component of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert not circles, f"import circles: {circles}"


def test_the_ground_floor_imports_nothing_of_the_package_but_itself() -> None:
    assert GRAPH["notify_schemas.values"] == set()
    assert GRAPH["notify_schemas.errors"] <= {"notify_schemas.values"}


def test_the_graph_sees_deferred_imports() -> None:
    # The CLI reaches the conformance suite and compat only inside functions; the graph must still see both.
    assert "notify_schemas.conformance.cli" in GRAPH["notify_schemas.cli.commands"]
    assert "notify_schemas.authoring.compat" in GRAPH["notify_schemas.cli.commands"]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)


def test_importing_the_package_loads_no_module_until_a_name_is_used() -> None:
    shown = _python(
        "import sys, notify_schemas\n"
        "print(sorted(m for m in sys.modules if m.startswith('notify_schemas.')))\n"
        "notify_schemas.validate\n"
        "print('notify_schemas.validation' in sys.modules, 'notify_schemas.notifier' in sys.modules)\n"
    )
    assert shown.stdout.splitlines() == ["[]", "True False"], shown.stderr


def test_every_public_name_loads_and_registry_stays_the_function() -> None:
    for name in notify_schemas.__all__:
        assert getattr(notify_schemas, name) is not None
    assert set(notify_schemas.__all__) <= set(dir(notify_schemas))
    with pytest.raises(AttributeError, match="no attribute 'nothing_of_that_name'"):
        notify_schemas.nothing_of_that_name  # noqa: B018
    # The import system sets a submodule as its package's attribute; `registry` is both.
    shown = _python("import notify_schemas.registry, notify_schemas as n; print(callable(n.registry))")
    assert shown.stdout.strip() == "True", shown.stderr


def test_ctrl_c_while_the_command_line_loads_ends_it_quietly_with_130() -> None:
    # A finder that raises KeyboardInterrupt when the commands' module is looked up: the moment a user's Ctrl-C
    # lands in the first tenth of a second.
    shown = _python(
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'notify_schemas.cli.commands':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from notify_schemas.cli import main\n"
        "sys.exit(main(['schemas', 'list']))\n"
    )
    assert (shown.returncode, shown.stdout, shown.stderr) == (130, "", "")
