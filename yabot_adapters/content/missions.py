"""The missions from YAML: the shipped file merged with the creator's ``content/misiones.yaml``.

Objectives and assignments must name event types YABOT declares, filters their fields, and rewards items
of the catalog: each mistake is one Spanish line with its file and line.
"""

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any, Final

from yabot_adapters.content.loading import load_merged
from yabot_adapters.content.merging import MergedContent, Section
from yabot_adapters.content.problems import ContentProblem
from yabot_core.inventory import ItemCatalog
from yabot_core.kernel import Event, event_class, known_event_types
from yabot_core.missions import MissionCatalog, MissionDefinition, check_missions, mission_label

MISSIONS_FILE: Final = "misiones.yaml"
"""The creator's missions file, inside her content folder."""

_OTHER_SPELLING: Final = "misiones.yml"
_SECTION: Final = "misiones"


def _key(raw: Mapping[str, Any]) -> Hashable | None:
    value = raw.get("id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _label(raw: Mapping[str, Any]) -> str | None:
    key = _key(raw)
    return None if key is None else mission_label(str(key))


MISSION_SECTIONS: Final = (
    Section(name=_SECTION, noun="misión", feminine=True, key_fields=("id",), key=_key, label=_label),
)
"""A missions file has one list, ``misiones:``, its entries keyed by id."""


def _event(event_type: str) -> type[Event] | None:
    try:
        return event_class(event_type)
    except KeyError:
        return None


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
    missions = []
    entries = []
    for entry in merged.section(_SECTION):
        mission, found = entry.validate(MissionDefinition)
        problems.extend(found)
        if mission is not None:
            missions.append(mission)
            entries.append(entry)
    found_problems = check_missions(missions, events=_event, known_types=known_event_types(), catalog=catalog)
    problems.extend(entries[p.index].problem(p.message, loc=p.loc) for p in found_problems)
    if problems:
        return None
    return MissionCatalog(tuple(missions))
