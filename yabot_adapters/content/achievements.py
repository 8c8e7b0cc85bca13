"""The logros from YAML: the shipped file merged with the creator's ``content/logros.yaml``.

Rules must name event types YABOT's registered modules declare (so a store's purchases count as soon as
the store is plugged in), filters and ``campo`` their fields, and rewards items of the catalog: each
mistake is one Spanish line with its file and line.
"""

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any, Final

from yabot_adapters.content.loading import load_merged
from yabot_adapters.content.merging import MergedContent, Section
from yabot_adapters.content.problems import ContentProblem
from yabot_core.achievements import (
    AchievementCatalog,
    AchievementDefinition,
    achievement_label,
    check_achievements,
)
from yabot_core.inventory import ItemCatalog
from yabot_core.kernel import Event, event_class, known_event_types

ACHIEVEMENTS_FILE: Final = "logros.yaml"
"""The creator's logros file, inside her content folder."""

_OTHER_SPELLING: Final = "logros.yml"
_SECTION: Final = "logros"


def _key(raw: Mapping[str, Any]) -> Hashable | None:
    value = raw.get("id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _label(raw: Mapping[str, Any]) -> str | None:
    key = _key(raw)
    return None if key is None else achievement_label(str(key))


ACHIEVEMENT_SECTIONS: Final = (
    Section(name=_SECTION, noun="logro", feminine=False, key_fields=("id",), key=_key, label=_label),
)
"""A logros file has one list, ``logros:``, its entries keyed by id."""


def _event(event_type: str) -> type[Event] | None:
    try:
        return event_class(event_type)
    except KeyError:
        return None


def load_achievement_catalog(
    shipped: Path, creator_dir: Path | None, catalog: ItemCatalog
) -> AchievementCatalog:
    """Load the shipped logros, apply the creator's ``logros.yaml`` over them, check it all.

    Event types are those declared by the modules imported so far (every registered module's, at start-up);
    reward items are checked against ``catalog``.

    Raises:
        ContentError: with every problem found, in every file, at once.
    """
    return load_merged(
        shipped,
        creator_dir,
        names=(ACHIEVEMENTS_FILE, _OTHER_SPELLING),
        kind="logros",
        sections=ACHIEVEMENT_SECTIONS,
        check=lambda merged, problems: _checked(merged, problems, catalog),
    )


def _checked(
    merged: MergedContent, problems: list[ContentProblem], catalog: ItemCatalog
) -> AchievementCatalog | None:
    achievements = []
    entries = []
    for entry in merged.section(_SECTION):
        achievement, found = entry.validate(AchievementDefinition)
        problems.extend(found)
        if achievement is not None:
            achievements.append(achievement)
            entries.append(entry)
    found_problems = check_achievements(
        achievements, events=_event, known_types=known_event_types(), catalog=catalog
    )
    problems.extend(entries[p.index].problem(p.message, loc=p.loc) for p in found_problems)
    if problems:
        return None
    return AchievementCatalog(tuple(achievements))
