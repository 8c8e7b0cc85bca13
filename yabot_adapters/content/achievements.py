"""The logros from YAML: the shipped file merged with the creator's ``content/logros.yaml``.

Rules must name event types YABOT's registered modules declare (so a store's purchases count as soon as
the store is plugged in), filters and ``campo`` their fields, and rewards items of the catalog: each
mistake is one Spanish line with its file and line.
"""

from pathlib import Path
from typing import Final

from yabot_adapters.content.counted import declared_event, id_section, validated
from yabot_adapters.content.loading import load_merged
from yabot_adapters.content.merging import MergedContent
from yabot_adapters.content.problems import ContentProblem
from yabot_core.achievements import (
    AchievementCatalog,
    AchievementDefinition,
    achievement_label,
    check_achievements,
)
from yabot_core.inventory import ItemCatalog
from yabot_core.kernel import known_event_types

ACHIEVEMENTS_FILE: Final = "logros.yaml"
"""The creator's logros file, inside her content folder."""

_OTHER_SPELLING: Final = "logros.yml"
_SECTION: Final = "logros"


ACHIEVEMENT_SECTIONS: Final = (id_section(_SECTION, "logro", feminine=False, label=achievement_label),)
"""A logros file has one list, ``logros:``, its entries keyed by id."""


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
    achievements = validated(
        merged,
        _SECTION,
        AchievementDefinition,
        problems,
        lambda found: check_achievements(
            found, events=declared_event, known_types=known_event_types(), catalog=catalog
        ),
    )
    return None if problems else AchievementCatalog(tuple(achievements))
