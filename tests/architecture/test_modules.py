"""Modules are what their manifests say: each imports only the modules it declares, and each is registered."""

import ast
import importlib
from pathlib import Path

from yabot_app.modules import MODULES
from yabot_app.modules.composed import module_order
from yabot_core.kernel import ModuleManifest

CORE = Path(__file__).resolve().parents[2] / "yabot_core"
MODULE_PACKAGES = sorted(
    p.name for p in CORE.iterdir() if (p / "__init__.py").exists() and p.name != "kernel"
)


def core_modules_imported(package: str) -> set[str]:
    """The other core modules (first name after ``yabot_core.``) a module package imports."""
    found: set[str] = set()
    for path in (CORE / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                else []
            )
            found.update(n.split(".")[1] for n in names if n.startswith("yabot_core.") and n.count(".") >= 1)
    return found - {package, "kernel"}


def test_every_core_module_has_a_manifest_named_after_it() -> None:
    """Each module package exports a MANIFEST whose name is the package's."""
    for package in MODULE_PACKAGES:
        manifest = getattr(importlib.import_module(f"yabot_core.{package}"), "MANIFEST", None)
        assert isinstance(manifest, ModuleManifest), package
        assert manifest.name == package


def test_modules_import_only_the_modules_they_depend_on() -> None:
    """A module imports another only if its manifest lists it in ``depends_on``."""
    undeclared = {}
    for package in MODULE_PACKAGES:
        manifest = importlib.import_module(f"yabot_core.{package}").MANIFEST
        extra = core_modules_imported(package) - set(manifest.depends_on)
        if extra:
            undeclared[package] = sorted(extra)
    assert undeclared == {}


def test_the_registry_plugs_every_module_in_a_valid_order() -> None:
    """Every core module is registered once, and the dependencies form an order (no cycle, none missing)."""
    names = [plug.manifest.name for plug in MODULES]
    assert sorted(names) == MODULE_PACKAGES
    ordered = [plug.manifest.name for plug in module_order(MODULES)]
    for position, plug in enumerate(module_order(MODULES)):
        assert set(plug.manifest.depends_on) <= set(ordered[:position])
