"""Checks code against the catalog: every call naming a text names one that exists and passes its variables.

The convention it relies on: a text is named by a string literal, or by a module-level constant holding one
(``GRANT_RECEIVED: Final = "wallet-grant-received"``, here or imported), and its variables are plain
keywords, so every call can be checked without running it. Which calls name texts is said by
:class:`TextCall`: ``<catalog>.render("id", ...)`` by default (any method called ``render``: the receiver
is not looked at), Lucien's ``say`` and ``tell_admins`` with :func:`lucien_calls`, a bot command's
description with :data:`BOT_COMMAND`, the /admin screens' texts with :data:`DIALOG_TEXT` and
:data:`ADMIN_SCREEN`. A call that hands on an id its own caller chose (Lucien rendering
what ``say`` was given) carries the comment ``# texts: <why>`` and is left to its callers' checks.
"""

import ast
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final

from yabot_adapters.texts.catalog import Catalog

SKIP_MARK: Final = "# texts:"
"""A comment on a call that does not name a text of its own (it forwards one): ``# texts: <why>``."""


class CodeProblemKind(StrEnum):
    """Why a call naming a text cannot be trusted."""

    UNKNOWN_ID = "unknown-id"
    MISSING_VARIABLE = "missing-variable"
    DYNAMIC_ID = "dynamic-id"
    DYNAMIC_ARGUMENTS = "dynamic-arguments"


@dataclass(frozen=True, slots=True)
class CodeProblem:
    """A call that would show the fallback text, or that cannot be checked."""

    file: Path
    line: int
    kind: CodeProblemKind
    detail: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.detail}"


@dataclass(frozen=True, slots=True)
class TextCall:
    """A kind of call that names a text: which callable, where the id goes, what the callee fills in.

    ``name`` is a method's name (``texts.render``), or a function's or class's when ``method`` is false
    (``BotCommand(...)``, defined in or imported from ``origin`` if given). The id is the positional
    argument ``id_at``, or the keyword ``id_keyword``. Keywords are the text's variables when ``variables``
    is true; otherwise the text is rendered with none (a bot command's description) and must need none.
    ``provided`` are variables the callee adds itself.
    """

    name: str
    id_at: int = 0
    id_keyword: str | None = None
    provided: frozenset[str] = field(default_factory=frozenset)
    method: bool = True
    variables: bool = True
    origin: str | None = None
    """For a function or class: the module it must come from (another of the same name is not it)."""


RENDER: Final = TextCall("render")
"""``<catalog>.render("id", name=value, ...)``."""

BOT_COMMAND: Final = TextCall(
    "BotCommand",
    id_at=1,
    id_keyword="description",
    method=False,
    variables=False,
    origin="yabot_app.modules.plug",
)
"""A module's ``BotCommand("saldo", "wallet-command-saldo")``: the menu renders its description as is."""


DIALOG_TEXT: Final = TextCall("render", id_at=1, method=False, origin="yabot_adapters.telegram.admin.screens")
"""An admin screen's ``render(dialog_manager, "id", ...)``: the dialog's catalog, filled in."""

ADMIN_SCREEN: Final = TextCall(
    "AdminScreen", id_keyword="label", method=False, variables=False, origin="yabot_app.modules.plug"
)
"""A module's ``AdminScreen("admin-button-…", ...)``: the /admin menu renders its label as is."""


def lucien_calls(provided: Collection[str]) -> tuple[TextCall, TextCall]:
    """Lucien's ``say(user_id, "id", ...)`` and ``tell_admins("id", ...)``; he adds ``provided`` himself.

    ``provided``: what Lucien knows of every reader, ``nombre`` and the modules' user context (``saldo``...).
    """
    names = frozenset(provided)
    return TextCall("say", id_at=1, provided=names), TextCall("tell_admins", provided=names)


def check_render_calls(
    paths: Iterable[Path], catalog: Catalog, *, calls: Sequence[TextCall] = (RENDER,)
) -> list[CodeProblem]:
    """Every problem in the calls naming texts in the given Python files (folders: all ``*.py`` inside).

    Raises:
        SyntaxError: a file is not valid Python.
    """
    sources = {path: _Source.read(path) for path in _python_files(paths)}
    constants = _Constants({source.module: source for source in sources.values()})
    problems: list[CodeProblem] = []
    for path, source in sources.items():
        for node in ast.walk(source.tree):
            if not isinstance(node, ast.Call) or source.skipped(node):
                continue
            for kind in calls:
                if _names(node, kind, source):
                    problems += _call_problems(path, node, kind, catalog, constants.resolver(source))
    return sorted(problems, key=lambda problem: (str(problem.file), problem.line, problem.detail))


def _names(call: ast.Call, kind: TextCall, source: "_Source") -> bool:
    func = call.func
    if kind.method:
        return isinstance(func, ast.Attribute) and func.attr == kind.name
    if isinstance(func, ast.Name) and func.id == kind.name:
        return kind.origin is None or kind.origin in {source.module, source.imported.get(func.id, ("",))[0]}
    if isinstance(func, ast.Attribute) and func.attr == kind.name and isinstance(func.value, ast.Name):
        module, name = source.imported.get(func.value.id, ("", None))
        return kind.origin is None or kind.origin == (module if name is None else f"{module}.{name}")
    return False


def _call_problems(
    path: Path, call: ast.Call, kind: TextCall, catalog: Catalog, resolve: "_ResolveIn"
) -> Iterator[CodeProblem]:
    keyword = next((k.value for k in call.keywords if kind.id_keyword and k.arg == kind.id_keyword), None)
    given = call.args[kind.id_at] if len(call.args) > kind.id_at else keyword
    message_id = resolve(given) if given is not None else None
    if message_id is None:
        why = "the text id is not a string literal or a module constant holding one"
        yield CodeProblem(path, call.lineno, CodeProblemKind.DYNAMIC_ID, why)
        return
    if message_id not in catalog.ids():
        yield CodeProblem(
            path, call.lineno, CodeProblemKind.UNKNOWN_ID, f"text {message_id!r} does not exist"
        )
        return
    if kind.variables and any(keyword.arg is None for keyword in call.keywords):
        yield CodeProblem(
            path,
            call.lineno,
            CodeProblemKind.DYNAMIC_ARGUMENTS,
            f"text {message_id!r} gets **arguments; pass each variable by name",
        )
        return
    passed = {k.arg for k in call.keywords if k.arg is not None} if kind.variables else set()
    for name in sorted(catalog.variables(message_id) - passed - kind.provided):
        yield CodeProblem(
            path,
            call.lineno,
            CodeProblemKind.MISSING_VARIABLE,
            f"text {message_id!r} needs the variable {name!r}, which the call does not pass",
        )


@dataclass(frozen=True, slots=True)
class _Source:
    """One parsed file: its dotted module name, its module-level strings and what it imports."""

    path: Path
    tree: ast.Module
    lines: list[str]
    module: str
    strings: dict[str, str]
    imported: dict[str, tuple[str, str | None]]  # local name -> (module, name in it; None: the module)

    @classmethod
    def read(cls, path: Path) -> "_Source":
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
        module = _module_name(path)
        return cls(path, tree, text.splitlines(), module, _strings(tree), _imports(tree))

    def skipped(self, call: ast.Call) -> bool:
        """Whether the call carries ``# texts: <why>`` on one of its lines."""
        end = call.end_lineno or call.lineno
        return any(SKIP_MARK in line for line in self.lines[call.lineno - 1 : end])


class _Constants:
    """Finds the string a name stands for: a module-level constant here, or one imported (transitively)."""

    def __init__(self, modules: Mapping[str, _Source]) -> None:
        self._modules = modules

    def resolver(self, source: _Source) -> "_ResolveIn":
        return _ResolveIn(self, source)

    def lookup(self, module: str, name: str, depth: int = 0) -> str | None:
        source = self._modules.get(module)
        if source is None or depth > 10:  # noqa: PLR2004  (re-exports are shallow; this stops a cycle)
            return None
        if name in source.strings:
            return source.strings[name]
        origin = source.imported.get(name)
        if origin is None or origin[1] is None:
            return None
        return self.lookup(origin[0], origin[1], depth + 1)


@dataclass(frozen=True, slots=True)
class _ResolveIn:
    constants: _Constants
    source: _Source

    def __call__(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            if node.id in self.source.strings:
                return self.source.strings[node.id]
            module, name = self.source.imported.get(node.id, ("", None))
            return self.constants.lookup(module, name) if name is not None else None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            origin = self.source.imported.get(node.value.id)
            if origin is not None:  # ``wallet.GRANT_RECEIVED`` with ``from yabot_core import wallet``
                module = origin[0] if origin[1] is None else f"{origin[0]}.{origin[1]}"
                return self.constants.lookup(module, node.attr)
        return None


def _strings(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "..."`` and ``NAME: Final = "..."``."""
    found: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str):
            found[target.id] = value.value
    return found


def _imports(tree: ast.Module) -> dict[str, tuple[str, str | None]]:
    """What each imported local name is: ``(module, name)`` for ``from module import name``, else the module.

    Relative imports are not followed (the house style writes absolute ones).
    """
    found: dict[str, tuple[str, str | None]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            for alias in statement.names:
                found[alias.asname or alias.name] = (statement.module, alias.name)
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                found[alias.asname or alias.name] = (alias.name, None)
    return found


def _module_name(path: Path) -> str:
    """The dotted module name of a file, from the outermost folder with an ``__init__.py`` above it."""
    path = path.resolve()
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def _python_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(path.rglob("*.py"))
        else:
            yield path
