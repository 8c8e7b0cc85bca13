"""An import-linter contract of our own: every core module is reached through its public API only.

``[[tool.importlinter.contracts]]`` with ``type = "public_api"`` lists the packages whose direct children are
modules (``containers``). A module's insides (``yabot_core.wallet.service``) may be imported only from within
that module; everything else, other modules, adapters and the app included, imports the module's package
(``yabot_core.wallet``), whose ``__init__`` is its public API. New modules are covered without a new line.
``base`` names the one module every other builds on; it may import no sibling at all.
"""

from dataclasses import dataclass

import grimp
from importlinter import Contract, ContractCheck, fields, output


@dataclass(frozen=True, slots=True)
class _Link:
    importer: str
    imported: str
    lines: tuple[int, ...]
    rule: str


class PublicApiContract(Contract):
    """Modules reach each other's insides never; the base module reaches no sibling."""

    type_name = "public_api"

    containers = fields.ListField(subfield=fields.StringField())
    base = fields.StringField(required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        """Collect every import that reaches past a module's public API."""
        links: list[_Link] = []
        for container in self.containers:  # type: ignore[attr-defined]
            modules = sorted(graph.find_children(container))
            base = f"{container}.{self.base}" if self.base else None  # type: ignore[attr-defined]
            for module in modules:
                inside = {module, *graph.find_descendants(module)}
                links.extend(
                    self._link(graph, importer, imported, f"{module} (its public API)")
                    for imported in sorted(inside - {module})
                    for importer in sorted(graph.find_modules_that_directly_import(imported) - inside)
                )
                if module == base:
                    links.extend(self._base_links(graph, module, inside, modules))
        return ContractCheck(kept=not links, metadata={"links": links})

    def _base_links(
        self, graph: grimp.ImportGraph, base: str, inside: set[str], modules: list[str]
    ) -> list[_Link]:
        """Every import from the base module into any sibling."""
        siblings = {
            m for sibling in modules if sibling != base for m in (sibling, *graph.find_descendants(sibling))
        }
        return [
            self._link(graph, importer, imported, f"nothing: {base} is the base")
            for importer in sorted(inside)
            for imported in sorted(graph.find_modules_directly_imported_by(importer) & siblings)
        ]

    @staticmethod
    def _link(graph: grimp.ImportGraph, importer: str, imported: str, rule: str) -> _Link:
        details = graph.get_import_details(importer=importer, imported=imported)
        return _Link(importer, imported, tuple(detail["line_number"] for detail in details), rule)

    def render_broken_contract(self, check: ContractCheck) -> None:
        """Print each illegal import with its lines and what the importer may use instead."""
        for link in check.metadata["links"]:
            lines = ", ".join(f"l.{line}" for line in link.lines)
            output.print_error(f"{link.importer} -> {link.imported} ({lines}); allowed: {link.rule}")
            output.new_line()
