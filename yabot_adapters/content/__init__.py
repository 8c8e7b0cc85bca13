"""The creator's content as YAML: reading with line numbers, Spanish problems, shipped + creator merging.

Everything the creator writes (story, catalogs, missions, plans) lives in ``YABOT_DATA_DIR/content/`` as YAML
and is checked at start-up; each problem is one Spanish line naming file, line and entry, and ``ContentError``
carries them all. See docs/content.md for the creator's side.
"""

from yabot_adapters.content.daily_gift import DAILY_GIFT_FILE, DAILY_GIFT_SECTIONS, load_daily_gift_content
from yabot_adapters.content.items import ITEM_SECTIONS, ITEMS_FILE, dump_item_catalog, load_item_catalog
from yabot_adapters.content.merging import REMOVE_KEY, Entry, MergedContent, Section, merge
from yabot_adapters.content.messages import describe, quoted_list, spanish
from yabot_adapters.content.missions import MISSION_SECTIONS, MISSIONS_FILE, load_mission_catalog
from yabot_adapters.content.plans import PLAN_SECTIONS, PLANS_FILE, load_plan_catalog
from yabot_adapters.content.problems import ContentError, ContentProblem, SourceFile
from yabot_adapters.content.reading import YamlDocument, creator_sources, line_of, load_yaml, plain
from yabot_adapters.content.stories import STORIES_DIR, StoryFile, load_story_library, read_story_file
from yabot_adapters.content.validation import validate

__all__ = [
    "DAILY_GIFT_FILE",
    "DAILY_GIFT_SECTIONS",
    "ITEMS_FILE",
    "ITEM_SECTIONS",
    "MISSIONS_FILE",
    "MISSION_SECTIONS",
    "PLANS_FILE",
    "PLAN_SECTIONS",
    "REMOVE_KEY",
    "STORIES_DIR",
    "ContentError",
    "ContentProblem",
    "Entry",
    "MergedContent",
    "Section",
    "SourceFile",
    "StoryFile",
    "YamlDocument",
    "creator_sources",
    "describe",
    "dump_item_catalog",
    "line_of",
    "load_daily_gift_content",
    "load_item_catalog",
    "load_mission_catalog",
    "load_plan_catalog",
    "load_story_library",
    "load_yaml",
    "merge",
    "plain",
    "quoted_list",
    "read_story_file",
    "spanish",
    "validate",
]
