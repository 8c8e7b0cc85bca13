"""docs/story-authoring.md stays true: its example story loads beside the shipped ones."""

import re
from pathlib import Path

from tests.contracts.story_fixtures import shipped_catalog, shipped_texts
from yabot_adapters.content import load_story_library
from yabot_app.content import SHIPPED_STORIES
from yabot_core.story import Voice

DOC = Path(__file__).resolve().parents[2] / "docs" / "story-authoring.md"


def test_the_example_story_loads_as_the_creators(tmp_path: Path) -> None:
    """The page's ```yaml block, saved in content/stories/, loads after the shipped story, whole."""
    (example,) = re.findall(r"^```yaml\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    stories = tmp_path / "content" / "stories"
    stories.mkdir(parents=True)
    (stories / "la-carta.yaml").write_text(example, encoding="utf-8")
    items = [item.id for item in shipped_catalog().items]
    texts = shipped_texts()
    library = load_story_library(
        SHIPPED_STORIES,
        tmp_path / "content",
        items,
        text_check=lambda text: texts.text_problems(text, {"nombre"}),
    )
    assert [story.id for story in library] == ["el-invernadero", "la-carta"]
    letter = library.get("la-carta")
    assert letter is not None
    secret = letter.get("secreto")
    assert secret is not None
    assert (secret.vip, secret.voice, secret.is_ending) == (True, Voice.DIANA, True)
