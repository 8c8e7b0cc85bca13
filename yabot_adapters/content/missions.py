"""The missions from YAML: the shipped file merged with the creator's ``content/misiones.yaml``.

Objectives and assignments must name event types YABOT declares, filters their fields, and rewards items
of the catalog: each mistake is one Spanish line with its file and line.
"""

from pathlib import Path
from typing import Final

from yabot_adapters.content.counted import declared_event, id_section, validated
from yabot_adapters.content.loading import load_merged
from yabot_adapters.content.merging import MergedContent
from yabot_adapters.content.problems import ContentProblem
from yabot_core.inventory import ItemCatalog
from yabot_core.kernel import known_event_types
from yabot_core.missions import MissionCatalog, MissionDefinition, check_missions, mission_label

MISSIONS_FILE: Final = "misiones.yaml"
"""The creator's missions file, inside her content folder."""

_OTHER_SPELLING: Final = "misiones.yml"
_SECTION: Final = "misiones"


MISSION_SECTIONS: Final = (id_section(_SECTION, "misión", feminine=True, label=mission_label),)
"""A missions file has one list, ``misiones:``, its entries keyed by id."""


def load_mission_catalog(shipped: Path, creator_dir: Path | None, catalog: ItemCatalog) -> MissionCatalog:
    """Load the shipped missions, apply the creator's ``misiones.yaml`` over them, check it all.

    Event types are those declared by the modules imported so far (every registered module's, at start-up);
    reward items are checked against ``catalog``.

    Raises:
        ContentError: with every problem found, in every file, at once.
    """
    return load_merged(
        shipped,
        creator_dir,
        names=(MISSIONS_FILE, _OTHER_SPELLING),
        kind="misiones",
        sections=MISSION_SECTIONS,
        check=lambda merged, problems: _checked(merged, problems, catalog),
    )


def _checked(
    merged: MergedContent, problems: list[ContentProblem], catalog: ItemCatalog
) -> MissionCatalog | None:
    missions = validated(
        merged,
        _SECTION,
        MissionDefinition,
        problems,
        lambda found: check_missions(
            found, events=declared_event, known_types=known_event_types(), catalog=catalog
        ),
    )
    return None if problems else MissionCatalog(tuple(missions))
