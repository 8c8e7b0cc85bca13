"""The reactions from YAML: the shipped file merged with the creator's ``content/reacciones.yaml``.

The rules are a list of one entry (``reacciones:``), so the creator's replaces the shipped one by the same
rules as every other content file (as the daily gift's streak); special reactions must give items of the
catalog. Each mistake is one Spanish line with its file and line.
"""

from pathlib import Path
from typing import Final

from yabot_adapters.content.loading import load_merged
from yabot_adapters.content.merging import MergedContent, Section
from yabot_adapters.content.problems import ContentProblem
from yabot_core.inventory import ItemCatalog
from yabot_core.reactions import ReactionRules, check_reactions

REACTIONS_FILE: Final = "reacciones.yaml"
"""The creator's reactions file, inside her content folder."""

_OTHER_SPELLING: Final = "reacciones.yml"
_SECTION: Final = "reacciones"

REACTION_SECTIONS: Final = (
    Section(
        name=_SECTION,
        noun="regla de reacciones",
        feminine=True,
        key_fields=(),
        key=lambda _raw: _SECTION,  # one set of rules: the creator's replaces the shipped one
        label=lambda _raw: "las reacciones",
    ),
)
"""A reactions file has one entry, ``reacciones:``, with what a reaction pays and the buttons."""


def load_reaction_rules(shipped: Path, creator_dir: Path | None, catalog: ItemCatalog) -> ReactionRules:
    """Load the shipped reaction rules, apply the creator's ``reacciones.yaml`` over them, check them.

    Raises:
        ContentError: with every problem found, in every file, at once.
    """
    return load_merged(
        shipped,
        creator_dir,
        names=(REACTIONS_FILE, _OTHER_SPELLING),
        kind="reacciones",
        sections=REACTION_SECTIONS,
        check=lambda merged, problems: _checked(merged, problems, catalog, shipped),
    )


def _checked(
    merged: MergedContent, problems: list[ContentProblem], catalog: ItemCatalog, shipped: Path
) -> ReactionRules | None:
    entries = merged.section(_SECTION)
    if not entries:
        message = "falta «reacciones:» (besitos por reacción, tope diario y botones)."
        problems.append(ContentProblem(str(shipped), None, None, message))
        return None
    entry = entries[-1]
    rules, found = entry.validate(ReactionRules)
    problems.extend(found)
    if rules is None:
        return None
    problems.extend(entry.problem(p.message, loc=p.loc) for p in check_reactions(rules, catalog))
    return None if problems else rules
