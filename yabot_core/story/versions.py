"""A new version of a story, and the fans already in it: each is moved to a fragment that still exists.

A fan at a removed fragment goes to the fragment that names it in ``reemplaza``; else back to the last
fragment they visited that still exists; else to the start. Their visited fragments are renamed the same
way (the removed ones without a successor are forgotten); flags, decisions and rewards already given stay.
"""

from yabot_core.story.content import Story
from yabot_core.story.fields import FragmentId
from yabot_core.story.models import StoryProgress


def outdated(story: Story, progress: StoryProgress) -> bool:
    """Whether the progress was saved under another version, or names a fragment the story lost."""
    return (
        progress.story_version != story.header.version
        or story.get(progress.current) is None
        or any(story.get(fragment) is None for fragment in progress.visited)
    )


def relocated(story: Story, progress: StoryProgress) -> tuple[FragmentId, tuple[FragmentId, ...]]:
    """Where the fan stands in this version of the story, and what they have visited in it."""
    visited: list[FragmentId] = []
    for old in progress.visited:
        now = _now(story, old)
        if now is not None and now not in visited:
            visited.append(now)
    current = _now(story, progress.current)
    if current is None:
        current = visited[-1] if visited else story.start.id
    if current not in visited:
        visited.append(current)
    return current, tuple(visited)


def _now(story: Story, fragment_id: FragmentId) -> FragmentId | None:
    if story.get(fragment_id) is not None:
        return fragment_id
    successor = story.successor(fragment_id)
    return None if successor is None else successor.id
