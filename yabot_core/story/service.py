"""The story engine: where each fan is, what they may choose, and a decision with all its effects at once."""

from collections.abc import Sequence

from yabot_core.inventory import ItemCatalog, Mochila
from yabot_core.kernel import (
    Clock,
    EventStamper,
    IdGenerator,
    InvalidInputError,
    Transactions,
    UserId,
    checked_user_id,
)
from yabot_core.lucien import Lucien
from yabot_core.missions import MissionCatalog, Missions
from yabot_core.story.conditions import judge, refusal
from yabot_core.story.content import Fragment, Story, StoryLibrary
from yabot_core.story.effects import Effects, Step, StepFacts
from yabot_core.story.errors import (
    NoStoryError,
    StaleChoiceError,
    UnknownChoiceError,
    UnknownFragmentError,
    UnknownStoryError,
)
from yabot_core.story.events import DecisionMade, FragmentUnlocked, NarrativeCompleted
from yabot_core.story.fields import ChoiceId
from yabot_core.story.models import DecisionRecord, Outcome, Scene, StoryProgress
from yabot_core.story.ports import StoryQueries, StoryUnitOfWork
from yabot_core.story.versions import outdated, relocated
from yabot_core.subscriptions import VipStatus
from yabot_core.wallet import WalletService


class Narrative:
    """Every fan's way through the stories of a library, over any storage adapter.

    Rules, always: a fan is at one fragment of a story; a decision is taken only at the fragment the fan is
    at (and, when the button says so, at the step it was shown at), for one of its choices whose conditions
    hold, VIP asked through ``VipStatus`` and missions through ``Missions``; anything else is refused in
    Spanish and changes nothing. The move, its effects (besitos, mochila, Lucien's scheduled messages) and its
    events commit in one unit of work.
    Each effect is keyed by the place of the story it belongs to, so a fan is rewarded once per place
    however often they pass by it.
    """

    def __init__(  # the ports and the modules it builds on
        self,
        *,
        transactions: Transactions[StoryUnitOfWork],
        queries: StoryQueries,
        library: StoryLibrary,
        wallet: WalletService,
        mochila: Mochila,
        lucien: Lucien,
        vip: VipStatus,
        clock: Clock,
        ids: IdGenerator,
        missions: Missions | None = None,
    ) -> None:
        """``missions`` answers the ``mision`` conditions; without it they cannot be checked (stay closed)."""
        self._transactions = transactions
        self._missions = missions
        self._queries = queries
        self._library = library
        self._wallet = wallet
        self._mochila = mochila
        self._vip = vip
        self._clock = clock
        self._stamper = EventStamper(clock, ids)
        self._effects = Effects(
            wallet=wallet, mochila=mochila, lucien=lucien, clock=clock, stamper=self._stamper
        )

    @property
    def library(self) -> StoryLibrary:
        """The stories this engine tells (loaded once, at start-up)."""
        return self._library

    @property
    def catalog(self) -> ItemCatalog:
        """The items catalog conditions and effects name."""
        return self._mochila.catalog

    @property
    def missions(self) -> MissionCatalog | None:
        """The missions catalog ``mision`` conditions name (``None``: built without missions)."""
        return self._missions.catalog if self._missions is not None else None

    # --- reading ----------------------------------------------------------------------------------------

    async def progress(self, user_id: UserId, story_id: str) -> StoryProgress | None:
        """The fan's committed progress in a story, or ``None`` if they never started it.

        Raises:
            UnknownStoryError: no story has that id.
        """
        story = self._story(story_id)
        return await self._queries.get(checked_user_id(user_id), story.id)

    async def stories_of(self, user_id: UserId) -> Sequence[StoryProgress]:
        """Every story the fan started, the most recently moved first."""
        return await self._queries.of_user(checked_user_id(user_id))

    def fragment(self, story_id: str, fragment_id: str) -> Fragment:
        """One fragment of a story, as written.

        Raises:
            UnknownStoryError, UnknownFragmentError: no such story, or no such fragment in it.
        """
        story = self._story(story_id)
        found = story.get(fragment_id)
        if found is None:
            raise UnknownFragmentError(story.id, fragment_id)
        return found

    async def current_story(self, user_id: UserId) -> Story:
        """The story /historia opens: the one the fan moved in last and has not finished, else the first.

        Raises:
            NoStoryError: no story is loaded.
        """
        for progress in await self.stories_of(user_id):
            story = self._library.get(progress.story_id)
            if story is not None and not progress.completed:
                return story
        first = self._library.first
        if first is None:
            raise NoStoryError
        return first

    # --- moving -----------------------------------------------------------------------------------------

    async def scene(self, user_id: UserId, story_id: str | None = None, *, known_vip: bool = False) -> Scene:
        """Where the fan is in the story (its first fragment, with its entry effects, if they never began).

        ``known_vip``: the caller knows the fan just became VIP (a ``SubscriptionStarted`` says so), so the
        choices are judged as a VIP's even while this process's short VIP memory has not caught up with a
        grant made elsewhere.

        Raises:
            UnknownStoryError: no story has that id; ``NoStoryError``: none is loaded.
        """
        user = checked_user_id(user_id)
        story = self._story(story_id) if story_id is not None else await self.current_story(user)
        known = await self._queries.get(user, story.id)
        if known is not None and outdated(story, known):
            known = await self._transactions.run(lambda uow: self._migrate(uow, user, story))
        vip = True if known_vip else None
        if known is not None:
            return await self._scene(story, known, vip=vip)
        progress, outcome = await self._transactions.run(lambda uow: self._start(uow, user, story))
        return await self._scene(story, progress, outcome, vip=vip)

    async def restart(self, user_id: UserId, story_id: str) -> Scene:
        """Begin a finished story again at its start; rewards already given are not given twice.

        Raises:
            StaleChoiceError: the fan has not finished it (nothing to restart).
        """
        user, story = checked_user_id(user_id), self._story(story_id)

        async def work(uow: StoryUnitOfWork) -> tuple[StoryProgress, Outcome]:
            progress = await uow.story.get(user, story.id)
            if progress is None or not progress.completed:
                raise StaleChoiceError
            return await self._start(uow, user, story, previous=progress)

        progress, outcome = await self._transactions.run(work)
        return await self._scene(story, progress, outcome)

    async def decide(
        self, user_id: UserId, story_id: str, fragment_id: str, choice_id: str, *, step: int | None = None
    ) -> Scene:
        """Take a choice at the fragment the fan is at; move, apply its effects and the target's, at once.

        ``step`` (the fan's decision count when the button was shown) refuses a button pressed twice even
        when a loop brought the fan back to the same fragment.

        Raises:
            StaleChoiceError: the fan is not at ``fragment_id`` (or not at ``step``), or never started.
            UnknownChoiceError: the fragment has no such choice.
            VipRequiredError, ConditionNotMetError, UnresolvableConditionError: a condition does not hold.
            UnknownStoryError: no story has that id.
        """
        user, story = checked_user_id(user_id), self._story(story_id)
        if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 0):
            raise InvalidInputError("El paso de la historia debe ser un número entero no negativo.")
        vip = await self._vip.is_vip(user)

        async def work(uow: StoryUnitOfWork) -> tuple[StoryProgress, Outcome]:
            progress = await uow.story.get(user, story.id)
            if (
                progress is None
                or progress.current != fragment_id
                or (step is not None and step != progress.step)
            ):
                raise StaleChoiceError
            fragment = story.get(progress.current)
            choice = fragment.choice(choice_id) if fragment is not None else None
            if fragment is None or choice is None:
                raise UnknownChoiceError
            facts = StepFacts(
                user, vip, uow=uow, mochila=self._mochila, wallet=self._wallet, missions=self._missions
            )
            refused = refusal(await judge(story, choice, progress, facts, self.catalog, self.missions))
            if refused is not None:
                raise refused
            target = story.get(choice.target)
            if target is None:  # the loader checks targets; a story is whole by construction
                raise UnknownFragmentError(story.id, choice.target)
            state = Step(progress, progress.revision + 1, set(progress.flags), list(progress.visited))
            origin = f"c:{fragment.id}:{choice.id}"
            await self._effects.apply(uow, story, state, choice.effects, origin, fragment.id)
            stamp = self._stamper.stamp()
            record = DecisionRecord(
                fragment_id=fragment.id,
                choice_id=ChoiceId(choice.id),
                target=target.id,
                decided_at=stamp["occurred_at"],
            )
            uow.record(
                DecisionMade(
                    **stamp,
                    user_id=user,
                    story_id=story.id,
                    fragment_id=fragment.id,
                    choice_id=choice.id,
                    target=target.id,
                    step=progress.step + 1,
                )
            )
            return await self._enter(uow, story, state, target, decisions=(*progress.decisions, record))

        progress, outcome = await self._transactions.run(work)
        return await self._scene(story, progress, outcome)

    # --- inside the unit of work ------------------------------------------------------------------------

    async def _migrate(self, uow: StoryUnitOfWork, user: UserId, story: Story) -> StoryProgress | None:
        """Move the fan into this version of the story, once: from the revision read here (compare-and-set).

        No entry effects run: the fan did not choose to go there. A second process that already migrated
        them leaves nothing to do.
        """
        progress = await uow.story.get(user, story.id)
        if progress is None or not outdated(story, progress):
            return progress
        current, visited = relocated(story, progress)
        moved = progress.model_copy(
            update={
                "story_version": story.header.version,
                "current": current,
                "visited": visited,
                "revision": progress.revision + 1,
                "updated_at": self._clock.now(),
            }
        )
        await uow.story.save(moved)
        return moved

    async def _start(
        self,
        uow: StoryUnitOfWork,
        user: UserId,
        story: Story,
        *,
        previous: StoryProgress | None = None,
    ) -> tuple[StoryProgress, Outcome]:
        known = await uow.story.get(user, story.id)
        if known is not None and previous is None:
            return known, Outcome()  # another tap started it first
        now = self._clock.now()
        progress = StoryProgress(
            user_id=user,
            story_id=story.id,
            story_version=story.header.version,
            current=story.start.id,
            visited=previous.visited if previous else (),
            revision=previous.revision if previous else 1,
            started_at=now,
            updated_at=now,
        )
        state = Step(progress, progress.revision + 1 if previous else 1, set(), list(progress.visited))
        return await self._enter(uow, story, state, story.start, decisions=())

    async def _enter(
        self,
        uow: StoryUnitOfWork,
        story: Story,
        state: Step,
        target: Fragment,
        *,
        decisions: tuple[DecisionRecord, ...],
    ) -> tuple[StoryProgress, Outcome]:
        """Move to ``target``: its first-visit event, its entry effects, the ending; then save."""
        user = state.progress.user_id
        if target.id not in state.visited:
            state.visited.append(target.id)
            uow.record(
                FragmentUnlocked(
                    **self._stamper.stamp(),
                    user_id=user,
                    story_id=story.id,
                    fragment_id=target.id,
                    vip=target.vip,
                )
            )
        await self._effects.apply(uow, story, state, target.on_entry, f"f:{target.id}", target.id)
        completed = state.ended or target.is_ending
        if completed:
            uow.record(
                NarrativeCompleted(
                    **self._stamper.stamp(),
                    user_id=user,
                    story_id=story.id,
                    ending=target.id,
                    decisions=len(decisions),
                )
            )
        progress = state.progress.model_copy(
            update={
                "story_version": story.header.version,
                "current": target.id,
                "visited": tuple(state.visited),
                "decisions": decisions,
                "flags": tuple(sorted(state.flags)),
                "completed": completed,
                "revision": state.revision,
                "updated_at": self._clock.now(),
            }
        )
        await uow.story.save(progress)
        return progress, Outcome(given=tuple(state.given), besitos=state.besitos, completed=completed)

    # --- helpers ----------------------------------------------------------------------------------------

    def _story(self, story_id: str) -> Story:
        story = self._library.get(story_id) if isinstance(story_id, str) else None
        if story is None:
            raise UnknownStoryError(str(story_id)[:64])
        return story

    async def _scene(
        self,
        story: Story,
        progress: StoryProgress,
        outcome: Outcome | None = None,
        *,
        vip: bool | None = None,
    ) -> Scene:
        fragment = story.get(progress.current)
        if fragment is None:  # scene() moves fans off removed fragments first; this is never reached
            raise UnknownFragmentError(story.id, progress.current)
        if vip is None:
            vip = await self._vip.is_vip(progress.user_id)
        facts = StepFacts(
            progress.user_id, vip, mochila=self._mochila, wallet=self._wallet, missions=self._missions
        )
        views = [
            await judge(story, choice, progress, facts, self.catalog, self.missions)
            for choice in fragment.choices
        ]
        return Scene(story, fragment, progress, tuple(views), outcome or Outcome())
