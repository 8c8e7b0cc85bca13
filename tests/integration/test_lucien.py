"""Lucien and Diana's grant notices over the in-memory backend, the shipped texts and a recording messenger.

These live in the integration suite because they render with the real catalog (an adapter). The messenger is
a complete in-memory implementation of the ``Messenger`` port: it delivers by recording, checks the text is
Telegram HTML as Telegram would, and can be told a user blocked the bot or that Telegram is away.
"""

import asyncio
import copy
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import yabot_adapters.texts
from tests.contracts.common import recorded_events
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.scheduling import Ticker
from yabot_adapters.storage import StorageUnitOfWork
from yabot_adapters.telegram.fake_api import render_html
from yabot_adapters.texts import Catalog, load_catalog
from yabot_core.kernel import (
    CorrelationId,
    FakeClock,
    InvalidInputError,
    SequentialIds,
    TimerFired,
    UnavailableError,
    UserId,
    correlation_scope,
)
from yabot_core.lucien import (
    MAX_TEXT,
    MESSAGE_TIMER,
    DeliveryUncertainError,
    InvalidMessageTextError,
    Lucien,
    LucienMessage,
    LucienMessageNotFoundError,
    LucienMessageSent,
    MessageAlreadySentError,
    MessageState,
    Messenger,
    RecipientUnreachableError,
    UserContext,
)
from yabot_core.users import UserDirectory, UserNotFoundError, UserProfile
from yabot_core.wallet import (
    ADMIN_GRANT,
    GRANT_RECEIVED,
    BesitosAwarded,
    BesitosGrants,
    GrantNotices,
    LedgerReason,
    WalletService,
)

MARTA = UserId(501)
PEDRO = UserId(502)
DIANA = UserId(9001)
ADMIN = UserId(9002)
SHIPPED = sorted((Path(yabot_adapters.texts.__file__).parent / "es").glob("*.ftl"))
DAILY = LedgerReason.define("test_lucien_daily", "Regalo diario de prueba")


class RecordingMessenger(Messenger):
    """Delivers by recording; refuses what Telegram would (blocked users, broken HTML, Telegram away)."""

    def __init__(self) -> None:
        self.sent: list[tuple[UserId, str]] = []
        self.attempts = 0
        self.blocked: set[UserId] = set()
        self.away = 0
        """How many of the next sends find Telegram unreachable."""
        self.unanswered = 0
        """How many of the next sends reach Telegram (they arrive) but get no answer, as in a timeout."""

    async def send(
        self,
        user_id: UserId,
        text: str,
        *,
        on_turn: Callable[[], Awaitable[None]] | None = None,
        protect: bool = False,
    ) -> None:
        self.attempts += 1
        if on_turn is not None:
            await on_turn()  # the message's turn: right before "Telegram" is asked, as the real one does
        if self.away:
            self.away -= 1
            raise UnavailableError("Telegram no responde; se reintentará.")
        if user_id in self.blocked:
            raise RecipientUnreachableError(user_id, "ha bloqueado el bot")
        plain, problem = render_html(text)
        if problem or not plain.strip():
            msg = f"Telegram would refuse this text ({problem or 'empty'}): {text!r}"
            raise AssertionError(msg)
        self.sent.append((user_id, text))
        if self.unanswered:
            self.unanswered -= 1
            raise DeliveryUncertainError(user_id)

    def texts(self, user_id: UserId) -> list[str]:
        return [text for to, text in self.sent if to == user_id]


def _with_messenger(lucien: Lucien, messenger: Messenger) -> Lucien:
    """The same Lucien (same storage, texts, clock) speaking through another messenger."""
    twin = copy.copy(lucien)
    twin._messenger = messenger
    return twin


class BesitosContext(UserContext):
    """The user's besitos as Lucien's ``saldo`` (what the wallet module contributes in the application)."""

    def __init__(self, wallet: WalletService) -> None:
        self._wallet = wallet

    def names(self) -> frozenset[str]:
        return frozenset({"saldo"})

    async def variables(self, user_id: UserId) -> Mapping[str, object]:
        return {"saldo": (await self._wallet.balance(user_id)).balance}


class CountingContext(BesitosContext):
    """The besitos context, noting whom it was asked about (each ask is a wallet query)."""

    def __init__(self, wallet: WalletService) -> None:
        super().__init__(wallet)
        self.asked: list[UserId] = []

    async def variables(self, user_id: UserId) -> Mapping[str, object]:
        self.asked.append(user_id)
        return await super().variables(user_id)


@pytest.fixture(name="catalog", scope="module")
def catalog_fixture() -> Catalog:
    catalog, problems = load_catalog(SHIPPED, rng=random.Random(7))
    assert problems == []
    return catalog


@pytest.fixture(name="messenger")
def messenger_fixture() -> RecordingMessenger:
    return RecordingMessenger()


@pytest.fixture(name="lucien")
def lucien_fixture(
    storage: InMemoryStorage,
    users: UserDirectory,
    wallet: WalletService,
    messenger: RecordingMessenger,
    catalog: Catalog,
    clock: FakeClock,
    ids: SequentialIds,
) -> Lucien:
    return Lucien(
        transactions=storage.transactions,
        queries=storage.lucien_queries,
        users=users,
        messenger=messenger,
        phrasebook=catalog,
        context=BesitosContext(wallet),
        clock=clock,
        ids=ids,
        admin_ids=[DIANA, ADMIN],
    )


@pytest.fixture(name="marta")
async def marta_fixture(users: UserDirectory, wallet: WalletService) -> UserId:
    """Marta talked to the bot and has 12 besitos."""
    await users.register(UserProfile(user_id=MARTA, first_name="Marta"))
    await wallet.credit(MARTA, 12, DAILY, idempotency_key="marta-12")
    return MARTA


async def fire_due(storage: InMemoryStorage, clock: FakeClock) -> list[TimerFired]:
    """Fire what is due, as the ticker does; return every TimerFired committed so far."""
    await Ticker(storage, clock, SequentialIds("tick")).fire_due()
    return [event for event in await recorded_events(storage) if isinstance(event, TimerFired)]


async def stored(storage: InMemoryStorage, key: str) -> LucienMessage:
    message = await storage.lucien_queries.get(key)
    assert message is not None
    return message


class TestSay:
    async def test_say_renders_with_the_readers_name_and_besitos(
        self, lucien: Lucien, messenger: RecordingMessenger, marta: UserId
    ) -> None:
        """``say`` fills in the reader's name and balance from their context; the caller adds the rest."""
        assert await lucien.say(marta, GRANT_RECEIVED, cantidad=1)
        (text,) = messenger.texts(marta)
        assert text.startswith(
            "Permítame interrumpirle con una buena noticia, Marta: Diana le envía <b>1 besito</b>."
        )
        assert "Su saldo asciende ahora a <b>12 besitos</b>" in text

    async def test_what_the_caller_says_wins_over_the_context(
        self, lucien: Lucien, messenger: RecordingMessenger, marta: UserId
    ) -> None:
        """Arguments named like context variables (nombre, saldo) replace them for that message."""
        assert await lucien.say(marta, GRANT_RECEIVED, cantidad=3, saldo=15, nombre="doña Marta")
        (text,) = messenger.texts(marta)
        assert "doña Marta: Diana le envía <b>3 besitos</b>" in text
        assert "<b>15 besitos</b>" in text
        assert "12 besitos" not in text

    async def test_arguments_are_escaped_as_html(
        self, lucien: Lucien, messenger: RecordingMessenger, users: UserDirectory
    ) -> None:
        """A name with HTML in it reaches Telegram escaped (Telegram would refuse it otherwise)."""
        await users.register(UserProfile(user_id=PEDRO, first_name="<b>Pedro</b> & co"))
        assert await lucien.say(PEDRO, GRANT_RECEIVED, cantidad=2)
        (text,) = messenger.texts(PEDRO)
        assert "&lt;b&gt;Pedro&lt;/b&gt; &amp; co: Diana" in text

    async def test_an_unreachable_user_is_marked_and_skipped(
        self, lucien: Lucien, messenger: RecordingMessenger, marta: UserId, users: UserDirectory
    ) -> None:
        """A user who blocked the bot is marked unreachable; ``say`` answers False and raises nothing."""
        messenger.blocked.add(marta)
        assert not await lucien.say(marta, GRANT_RECEIVED, cantidad=1)
        assert messenger.sent == []
        assert not (await users.get(marta)).reachable

    async def test_a_user_known_to_have_blocked_the_bot_is_not_written_to(
        self, lucien: Lucien, messenger: RecordingMessenger, marta: UserId, users: UserDirectory
    ) -> None:
        """Once marked unreachable, a user is skipped without asking Telegram again, until they come back."""
        await users.mark_unreachable(marta)
        assert not await lucien.say(marta, GRANT_RECEIVED, cantidad=1)
        assert messenger.attempts == 0
        await users.mark_reachable(marta)
        assert await lucien.say(marta, GRANT_RECEIVED, cantidad=1)
        assert len(messenger.texts(marta)) == 1

    async def test_a_user_known_to_have_blocked_the_bot_costs_no_context_lookup(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
        users: UserDirectory,
        wallet: WalletService,
        clock: FakeClock,
    ) -> None:
        """Nothing is said to an unreachable user, so the modules are not asked for their variables."""
        context = CountingContext(wallet)
        counted = copy.copy(lucien)
        counted._context = context
        await users.mark_unreachable(marta)
        await counted.schedule_text(marta, "Hola")
        (fired,) = await fire_due(storage, clock)
        assert not await counted.say(marta, GRANT_RECEIVED, cantidad=1)
        await counted.on_message_due(fired)
        assert context.asked == []
        await users.mark_reachable(marta)
        assert await counted.say(marta, GRANT_RECEIVED, cantidad=1)
        assert context.asked == [marta]
        assert messenger.attempts == 1

    async def test_telegram_away_is_raised_for_the_bus_to_retry(
        self, lucien: Lucien, messenger: RecordingMessenger, marta: UserId, users: UserDirectory
    ) -> None:
        """A transient failure propagates (the bus retries) and marks nobody."""
        messenger.away = 1
        with pytest.raises(UnavailableError):
            await lucien.say(marta, GRANT_RECEIVED, cantidad=1)
        assert (await users.get(marta)).reachable
        assert await lucien.say(marta, GRANT_RECEIVED, cantidad=1)
        assert len(messenger.texts(marta)) == 1

    async def test_a_notice_telegram_never_answered_is_retried(
        self, lucien: Lucien, messenger: RecordingMessenger, marta: UserId
    ) -> None:
        """``say`` is at least once: no answer is "try again" (the bus retries; the fan may read it twice)."""
        messenger.unanswered = 1
        with pytest.raises(UnavailableError, match="no confirmó"):
            await lucien.say(marta, GRANT_RECEIVED, cantidad=1)
        assert await lucien.say(marta, GRANT_RECEIVED, cantidad=1)
        assert len(messenger.texts(marta)) == 2


class TestTellAdmins:
    async def test_every_reachable_admin_is_told(
        self, lucien: Lucien, messenger: RecordingMessenger, users: UserDirectory
    ) -> None:
        """Each admin gets the alert (no name: admins who never wrote to the bot have none); one who blocked
        the bot is marked, not in the way."""
        await users.register(UserProfile(user_id=DIANA, first_name="Diana"))
        await users.register(UserProfile(user_id=ADMIN, first_name="Bruno"))
        messenger.blocked.add(DIANA)
        await lucien.tell_admins(
            "posts-failed", id="abc", canal="-100", estado="sin publicar", error="<boom>"
        )
        (text,) = messenger.texts(ADMIN)
        assert text.startswith("Lamento comunicarle que una publicación programada no ha salido.\n")
        assert "<code>abc</code>" in text
        assert "&lt;boom&gt;" in text
        assert messenger.texts(DIANA) == []
        assert not (await users.get(DIANA)).reachable


async def granted(grants: BesitosGrants, storage: InMemoryStorage, amount: int, note: str) -> BesitosAwarded:
    """Grant Marta ``amount`` besitos from the shell; return the event the notice handler receives."""
    await grants.grant(MARTA, amount, note=note, idempotency_key=f"grant-{amount}-{note}")
    return [e for e in await recorded_events(storage) if isinstance(e, BesitosAwarded)][-1]


@pytest.fixture(name="grants")
def grants_fixture(storage: InMemoryStorage, users: UserDirectory, wallet: WalletService) -> BesitosGrants:
    return BesitosGrants(storage.transactions, users, wallet)


@pytest.fixture(name="notices")
def notices_fixture(lucien: Lucien) -> GrantNotices:
    return GrantNotices(lucien)


class TestGrantNotices:
    async def test_a_grant_is_announced_with_the_new_balance(
        self,
        notices: GrantNotices,
        grants: BesitosGrants,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
    ) -> None:
        """Diana's grant without a note: the amount, the fan's name and the balance after it."""
        await notices.on_besitos_awarded(await granted(grants, storage, 1, ""))
        (text,) = messenger.texts(marta)
        assert "Marta: Diana le envía <b>1 besito</b>." in text
        assert "Su saldo asciende ahora a <b>13 besitos</b>" in text
        assert "«" not in text

    async def test_a_grant_with_a_note_quotes_it_escaped(
        self,
        notices: GrantNotices,
        grants: BesitosGrants,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
    ) -> None:
        """Diana's note is quoted in the notice, HTML-escaped, the pronoun agreeing with the amount."""
        await notices.on_besitos_awarded(await granted(grants, storage, 5, "Por <todo> & más"))
        (text,) = messenger.texts(marta)
        assert "<b>5 besitos</b>" in text
        assert "Los acompaña con unas palabras: <i>«Por &lt;todo&gt; &amp; más»</i>" in text
        assert "<b>17 besitos</b>" in text

    async def test_other_credits_stay_silent(
        self, notices: GrantNotices, storage: InMemoryStorage, messenger: RecordingMessenger, marta: UserId
    ) -> None:
        """Only Diana's grants are announced; besitos from other sources are not this notice's business."""
        (daily,) = [e for e in await recorded_events(storage) if isinstance(e, BesitosAwarded)]
        assert daily.reason == DAILY
        await notices.on_besitos_awarded(daily)
        assert messenger.attempts == 0

    async def test_a_fan_who_blocked_the_bot_is_marked_not_retried(
        self,
        notices: GrantNotices,
        grants: BesitosGrants,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        users: UserDirectory,
        marta: UserId,
    ) -> None:
        """A blocked fan makes the notice end quietly (no retry, no dead letter) and is marked unreachable."""
        messenger.blocked.add(marta)
        event = await granted(grants, storage, 2, "")
        assert event.reason == ADMIN_GRANT
        await notices.on_besitos_awarded(event)
        assert messenger.sent == []
        assert not (await users.get(marta)).reachable


class TestScheduleText:
    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", f"El mensaje debe tener entre 1 y {MAX_TEXT} caracteres."),
            ("   \n\t ", f"El mensaje debe tener entre 1 y {MAX_TEXT} caracteres."),
            ("x" * (MAX_TEXT + 1), f"El mensaje debe tener entre 1 y {MAX_TEXT} caracteres."),
            (
                "Hola, { $apodo }",
                "El texto usa { $apodo }, que Lucien no conoce; puede usar: { $nombre }, { $saldo }.",
            ),
            ("Hola, { mensaje-ajeno }", "El texto solo puede usar variables, como { $nombre }."),
        ],
    )
    async def test_a_text_that_cannot_be_sent_is_refused_in_spanish(
        self, lucien: Lucien, storage: InMemoryStorage, marta: UserId, text: str, message: str
    ) -> None:
        """Empty, too long, or using what Lucien does not know: refused when scheduled, nothing stored."""
        with pytest.raises(InvalidMessageTextError) as caught:
            await lucien.schedule_text(marta, text)
        assert caught.value.code == "texto_de_mensaje_invalido"
        assert caught.value.message == message
        assert await storage.lucien_queries.recent() == []
        assert await storage.timer_store.pending(limit=10) == []

    async def test_a_malformed_placeable_is_refused_in_spanish(
        self, lucien: Lucien, storage: InMemoryStorage, marta: UserId
    ) -> None:
        """An unclosed ``{`` is explained, with how variables are written; nothing is stored."""
        with pytest.raises(InvalidMessageTextError) as caught:
            await lucien.schedule_text(marta, "Hola, { $nombre")
        assert caught.value.message.startswith("El texto ")
        assert caught.value.message.endswith("las variables se escriben { $nombre }.")
        assert await storage.lucien_queries.recent() == []

    async def test_the_longest_text_is_accepted(self, lucien: Lucien, marta: UserId) -> None:
        """Exactly MAX_TEXT characters (after trimming the ends) may be scheduled."""
        message = await lucien.schedule_text(marta, f"  {'x' * MAX_TEXT}  ")
        assert message.text == "x" * MAX_TEXT

    async def test_an_unknown_user_or_a_naive_time_is_refused(
        self, lucien: Lucien, storage: InMemoryStorage, marta: UserId
    ) -> None:
        """Only registered users get messages, at a time with its zone; nothing is stored otherwise."""
        with pytest.raises(UserNotFoundError):
            await lucien.schedule_text(PEDRO, "Hola")
        naive = datetime(2026, 1, 2, 12, 0)  # noqa: DTZ001  (the point of the test)
        with pytest.raises(InvalidInputError) as caught:
            await lucien.schedule_text(marta, "Hola", at=naive)
        assert caught.value.message == "La hora del mensaje debe llevar zona horaria."
        assert await storage.lucien_queries.recent() == []
        assert await storage.timer_store.pending(limit=10) == []

    async def test_scheduling_stores_the_message_and_its_timer_together(
        self, lucien: Lucien, storage: InMemoryStorage, marta: UserId, clock: FakeClock
    ) -> None:
        """A scheduled message is pending with a timer of Lucien's kind, due when asked, carrying its key."""
        due = clock.now() + timedelta(minutes=10)
        with correlation_scope(CorrelationId("cli-7")):
            message = await lucien.schedule_text(marta, "  Hola, { $nombre }  ", at=due)
        assert (message.text, message.state, message.due_at, message.user_id) == (
            "Hola, { $nombre }",
            MessageState.SCHEDULED,
            due,
            marta,
        )
        assert await stored(storage, message.key) == message
        (timer,) = await storage.timer_store.pending(limit=10)
        assert (timer.key, timer.kind, timer.due_at, timer.user_id) == (
            f"lucien:{message.key}",
            MESSAGE_TIMER,
            due,
            marta,
        )
        assert timer.payload == {"key": message.key}
        assert timer.correlation_id == "cli-7"
        assert await fire_due(storage, clock) == []  # not due yet

    async def test_a_catalog_message_with_a_key_is_scheduled_once(
        self, lucien: Lucien, storage: InMemoryStorage, marta: UserId
    ) -> None:
        """``schedule`` with a key is idempotent: the second call returns the first message, one timer."""
        first = await lucien.schedule(marta, GRANT_RECEIVED, args={"cantidad": 2}, key="k-1")
        again = await lucien.schedule(marta, GRANT_RECEIVED, args={"cantidad": 9}, key="k-1")
        assert again == first
        assert len(await storage.timer_store.pending(limit=10)) == 1


class TestCancel:
    async def test_a_cancelled_message_never_leaves(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """Cancelling marks the message cancelled and removes its timer: nothing is sent when it was due."""
        message = await lucien.schedule_text(marta, "Hola", at=clock.now() + timedelta(minutes=1))
        cancelled = await lucien.cancel(message.key)
        assert (cancelled.state, cancelled.finished_at) == (MessageState.CANCELLED, clock.now())
        assert await storage.timer_store.pending(limit=10) == []
        clock.advance(timedelta(minutes=2))
        assert await fire_due(storage, clock) == []
        assert messenger.attempts == 0
        assert (await stored(storage, message.key)).state is MessageState.CANCELLED

    async def test_a_cancel_after_the_timer_fired_still_wins(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """A cancel landing between the timer firing and its delivery stops the message all the same."""
        message = await lucien.schedule_text(marta, "Hola")
        (fired,) = await fire_due(storage, clock)
        await lucien.cancel(message.key)
        await lucien.on_message_due(fired)
        assert messenger.attempts == 0
        assert (await stored(storage, message.key)).state is MessageState.CANCELLED

    async def test_only_pending_messages_can_be_cancelled(
        self, lucien: Lucien, storage: InMemoryStorage, marta: UserId, clock: FakeClock
    ) -> None:
        """Cancelling a sent, cancelled or unknown message is refused in Spanish and changes nothing."""
        sent = await lucien.schedule_text(marta, "Hola")
        (fired,) = await fire_due(storage, clock)
        await lucien.on_message_due(fired)
        with pytest.raises(MessageAlreadySentError) as caught:
            await lucien.cancel(sent.key)
        assert (caught.value.code, caught.value.message) == (
            "mensaje_ya_enviado",
            f"El mensaje {sent.key} ya se envió.",
        )
        assert (await stored(storage, sent.key)).state is MessageState.SENT

        later = await lucien.schedule_text(marta, "Adiós", at=clock.now() + timedelta(hours=1))
        await lucien.cancel(later.key)
        with pytest.raises(MessageAlreadySentError) as caught:
            await lucien.cancel(later.key)
        assert caught.value.message == f"El mensaje {later.key} ya estaba cancelado."

        with pytest.raises(LucienMessageNotFoundError) as missing:
            await lucien.cancel("no-existe")
        assert (missing.value.code, missing.value.message) == (
            "mensaje_no_encontrado",
            "No existe ningún mensaje programado con el id no-existe.",
        )


class TestOnMessageDue:
    async def test_a_due_message_is_sent_once_with_the_context_of_that_moment(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        wallet: WalletService,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """When due, the text is rendered with the reader's name and balance then, sent, and marked sent."""
        message = await lucien.schedule_text(
            marta, "Hola, { $nombre }: tiene { $saldo } besitos.", at=clock.now() + timedelta(minutes=5)
        )
        await wallet.credit(marta, 8, DAILY, idempotency_key="later")
        clock.advance(timedelta(minutes=5))
        (fired,) = await fire_due(storage, clock)
        await lucien.on_message_due(fired)
        assert messenger.texts(marta) == ["Hola, Marta: tiene 20 besitos."]
        done = await stored(storage, message.key)
        assert (done.state, done.finished_at) == (MessageState.SENT, clock.now())
        (event,) = [e for e in await recorded_events(storage) if isinstance(e, LucienMessageSent)]
        assert (event.user_id, event.key) == (marta, message.key)

    async def test_a_redelivered_timer_does_not_send_twice(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """The bus delivers at least once: the same TimerFired again finds the message sent and stops."""
        message = await lucien.schedule_text(marta, "Una sola vez")
        (fired,) = await fire_due(storage, clock)
        await lucien.on_message_due(fired)
        await lucien.on_message_due(fired)
        assert messenger.texts(marta) == ["Una sola vez"]
        assert (await stored(storage, message.key)).state is MessageState.SENT
        assert len([e for e in await recorded_events(storage) if isinstance(e, LucienMessageSent)]) == 1

    async def test_a_message_found_sending_after_a_crash_is_not_sent_again(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """At most once: a message a dead process left "sending" may have arrived, so it is never re-sent.

        Lucien commits SENDING before calling Telegram. A process that died after that commit leaves no way
        to know whether Telegram delivered the text (it offers no idempotent send), so the redelivered timer
        leaves the message as it is, for an operator to see in ``yabot lucien list``: a user may miss a
        scheduled message in that rare window, but never reads one twice.
        """
        message = await lucien.schedule_text(marta, "¿Llegó?")
        (fired,) = await fire_due(storage, clock)

        async def died_mid_send(uow: StorageUnitOfWork) -> None:  # what the dead process committed
            await uow.lucien.save(message.model_copy(update={"state": MessageState.SENDING}))

        await storage.transactions.run(died_mid_send)
        await lucien.on_message_due(fired)
        assert messenger.attempts == 0
        assert (await stored(storage, message.key)).state is MessageState.SENDING

    async def test_a_message_still_waiting_for_its_turn_when_a_process_dies_is_sent_later(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """A message waiting in Telegram's rate limits is not yet "sending": a crash there loses nothing."""
        message = await lucien.schedule_text(marta, "En la cola")
        (fired,) = await fire_due(storage, clock)
        in_line = asyncio.Event()

        class Queued(RecordingMessenger):
            async def send(
                self,
                user_id: UserId,
                text: str,
                *,
                on_turn: Callable[[], Awaitable[None]] | None = None,
                protect: bool = False,
            ) -> None:
                in_line.set()
                await asyncio.Event().wait()  # its turn never comes: the process dies here

        queued_lucien = _with_messenger(lucien, Queued())
        delivery = asyncio.create_task(queued_lucien.on_message_due(fired))
        await asyncio.wait_for(in_line.wait(), timeout=60)
        delivery.cancel()
        with pytest.raises(asyncio.CancelledError):
            await delivery
        assert (await stored(storage, message.key)).state is MessageState.SCHEDULED
        await lucien.on_message_due(fired)  # the redelivery, in the next process
        assert messenger.texts(marta) == ["En la cola"]

    async def test_a_send_interrupted_after_its_turn_came_is_left_sending(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """Cut off once Telegram was being asked, a message stays "sending": it may have arrived."""
        message = await lucien.schedule_text(marta, "¿Llegó o no?")
        (fired,) = await fire_due(storage, clock)
        asked = asyncio.Event()

        class Hangs(RecordingMessenger):
            async def send(
                self,
                user_id: UserId,
                text: str,
                *,
                on_turn: Callable[[], Awaitable[None]] | None = None,
                protect: bool = False,
            ) -> None:
                assert on_turn is not None
                await on_turn()
                asked.set()
                await asyncio.Event().wait()  # Telegram never answers; the relay is stopped

        delivery = asyncio.create_task(_with_messenger(lucien, Hangs()).on_message_due(fired))
        await asyncio.wait_for(asked.wait(), timeout=60)
        delivery.cancel()
        with pytest.raises(asyncio.CancelledError):
            await delivery
        assert (await stored(storage, message.key)).state is MessageState.SENDING
        await lucien.on_message_due(fired)
        assert messenger.attempts == 0

    async def test_a_send_telegram_never_answered_is_not_sent_again(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """No answer (a timeout): it may have arrived, so it stays "sending", nothing raised, never resent."""
        message = await lucien.schedule_text(marta, "¿Me oye?")
        (fired,) = await fire_due(storage, clock)
        messenger.unanswered = 1
        await lucien.on_message_due(fired)  # no error: the bus must not retry it
        assert (await stored(storage, message.key)).state is MessageState.SENDING
        await lucien.on_message_due(fired)  # a replay of the event all the same
        assert messenger.texts(marta) == ["¿Me oye?"]
        assert messenger.attempts == 1

    async def test_a_transient_failure_schedules_the_message_again_and_raises(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """Telegram away: the message goes back to scheduled and the error reaches the bus, which retries."""
        message = await lucien.schedule_text(marta, "Paciencia")
        (fired,) = await fire_due(storage, clock)
        messenger.away = 1
        with pytest.raises(UnavailableError):
            await lucien.on_message_due(fired)
        back = await stored(storage, message.key)
        assert (back.state, back.finished_at) == (MessageState.SCHEDULED, None)
        await lucien.on_message_due(fired)  # the bus's retry
        assert messenger.texts(marta) == ["Paciencia"]
        assert (await stored(storage, message.key)).state is MessageState.SENT

    async def test_an_unreachable_reader_skips_the_message(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        users: UserDirectory,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """A reader who blocked the bot: message skipped, user marked unreachable, nothing raised."""
        message = await lucien.schedule_text(marta, "Hola")
        messenger.blocked.add(marta)
        (fired,) = await fire_due(storage, clock)
        await lucien.on_message_due(fired)
        skipped = await stored(storage, message.key)
        assert (skipped.state, skipped.finished_at) == (MessageState.SKIPPED, clock.now())
        assert not (await users.get(marta)).reachable
        assert [e for e in await recorded_events(storage) if isinstance(e, LucienMessageSent)] == []

    async def test_a_catalog_message_renders_its_arguments_when_sent(
        self,
        lucien: Lucien,
        storage: InMemoryStorage,
        messenger: RecordingMessenger,
        marta: UserId,
        clock: FakeClock,
    ) -> None:
        """A scheduled catalog text gets its stored arguments plus the reader's context at sending time."""
        await lucien.schedule(marta, GRANT_RECEIVED, args={"cantidad": 4}, key="k-4")
        (fired,) = await fire_due(storage, clock)
        await lucien.on_message_due(fired)
        (text,) = messenger.texts(marta)
        assert "Marta: Diana le envía <b>4 besitos</b>." in text
        assert "<b>12 besitos</b>" in text
