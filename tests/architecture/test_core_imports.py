"""The core imports only the standard library, pydantic and itself (stricter than a forbidden list)."""

import ast
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "yabot_core"
ALLOWED_THIRD_PARTY = {"pydantic", "pydantic_core", "typing_extensions"}
NO_IO = {"sqlite3", "socket", "subprocess", "asyncio.subprocess", "urllib", "http", "random", "uuid"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_depends_on_nothing_but_the_stdlib_and_pydantic() -> None:
    """Every import in yabot_core is stdlib, pydantic or yabot_core itself."""
    offenders = {}
    for path in CORE.rglob("*.py"):
        for name in imported_roots(path):
            root = name.split(".")[0]
            if root == "yabot_core" or root in ALLOWED_THIRD_PARTY or root in sys.stdlib_module_names:
                continue
            offenders.setdefault(str(path.relative_to(CORE)), []).append(name)
    assert offenders == {}


def test_core_does_no_io_and_draws_no_randomness() -> None:
    """The core reaches time, ids and the outside world only through ports (no sqlite3, uuid, random...)."""
    offenders = {
        str(path.relative_to(CORE)): sorted(
            n for n in imported_roots(path) if n.split(".")[0] in NO_IO or n in NO_IO
        )
        for path in CORE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_never_reads_the_wall_clock() -> None:
    """No ``datetime.now``/``utcnow``/``time.time`` calls in the core: the Clock port tells the time."""
    needles = ("datetime.now(", ".utcnow(", "time.time(", "date.today(")
    offenders = [
        f"{path.relative_to(CORE)}: {needle}"
        for path in CORE.rglob("*.py")
        for needle in needles
        if needle in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
