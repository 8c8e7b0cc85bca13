"""The mochila's rules: quantities, stacking, recipes, idempotency, events (over the in-memory backend)."""

import pytest

from tests.contracts.common import recorded_events
from tests.contracts.inventory_catalog import (
    BOUQUET,
    CHEST,
    DIARY,
    KEY,
    LEFT,
    LETTER,
    RIGHT,
    ROSE,
    ROSE_LIMIT,
    small_catalog,
)
from yabot_adapters.memory import InMemoryStorage
from yabot_core.inventory import (
    ADMIN_GRANT,
    MAX_QUANTITY,
    InvalidQuantityError,
    ItemAdded,
    ItemCatalog,
    ItemNotStackableError,
    ItemRemoved,
    ItemsCombined,
    ItemUsed,
    MaxQuantityError,
    Mochila,
    NoRecipeError,
    NotEnoughItemsError,
    UnknownItemError,
)
from yabot_core.kernel import (
    CorrelationId,
    FakeClock,
    IdempotencyKeyReusedError,
    InvalidInputError,
    SequentialIds,
    UserId,
    correlation_scope,
)

ANA = UserId(11)
LUIS = UserId(12)


async def held(mochila: Mochila, user: UserId = ANA) -> dict[str, int]:
    view = await mochila.inventory(user, limit=100)
    return {item.item_id: item.quantity for item in view.items}


async def give(mochila: Mochila, item: str, quantity: int = 1, *, key: str | None = None) -> None:
    await mochila.add(
        ANA, item, quantity, reason=ADMIN_GRANT, idempotency_key=key or f"give-{item}-{quantity}"
    )


class TestAdd:
    async def test_add_puts_items_in_and_publishes_item_added(
        self, mochila: Mochila, storage: InMemoryStorage
    ) -> None:
        """An addition stores the quantity and records ItemAdded with reason, note and the new total."""
        first = await mochila.add(ANA, ROSE, 2, reason=ADMIN_GRANT, idempotency_key="k1", note=" Para usted ")
        await mochila.add(ANA, ROSE, reason=ADMIN_GRANT, idempotency_key="k2")
        assert await held(mochila) == {ROSE: 3}
        assert (first.quantity_after(ROSE), first.note) == (2, "Para usted")
        events = await recorded_events(storage)
        assert [(type(e), e.quantity, e.quantity_after) for e in events] == [  # type: ignore[attr-defined]
            (ItemAdded, 2, 2),
            (ItemAdded, 1, 3),
        ]
        added = events[0]
        assert isinstance(added, ItemAdded)
        assert (added.user_id, added.item_id, added.reason, added.note) == (
            ANA,
            ROSE,
            ADMIN_GRANT,
            "Para usted",
        )
        assert added.operation_id == first.operation_id

    async def test_an_unknown_item_is_refused_with_a_hint(
        self, mochila: Mochila, storage: InMemoryStorage
    ) -> None:
        """An id the catalog lacks is refused in Spanish, with the id probably meant; nothing changes."""
        for typed, hint in (("Rosa", "rosa"), ("carta-izquierd", "carta-izquierda"), ("zzz", None)):
            with pytest.raises(UnknownItemError) as raised:
                await mochila.add(ANA, typed, reason=ADMIN_GRANT, idempotency_key=f"k-{typed}")
            suggestion = f" (¿quiso decir «{hint}»?)" if hint else ""
            assert raised.value.message == f"No existe ningún objeto con el id «{typed}»{suggestion}."
            assert raised.value.code == "objeto_desconocido"
        assert await held(mochila) == {}
        assert await recorded_events(storage) == []

    async def test_a_non_stackable_item_is_held_once(self, mochila: Mochila) -> None:
        """A non-stackable item goes in once; a second one, or two at once, is refused."""
        with pytest.raises(
            ItemNotStackableError, match="«Llave» no es apilable: en una mochila solo cabe uno"
        ):
            await mochila.add(ANA, KEY, 2, reason=ADMIN_GRANT, idempotency_key="k0")
        await give(mochila, KEY)
        with pytest.raises(ItemNotStackableError) as raised:
            await mochila.add(ANA, KEY, reason=ADMIN_GRANT, idempotency_key="k2")
        assert raised.value.message == "«Llave» no es apilable: en una mochila solo cabe uno y ya hay uno."
        assert await held(mochila) == {KEY: 1}

    async def test_a_stackable_item_stops_at_its_maximum(self, mochila: Mochila) -> None:
        """A stackable item fills up to its ``cantidad_maxima``; one more is refused, nothing changes."""
        await give(mochila, ROSE, ROSE_LIMIT - 1)
        await give(mochila, ROSE, 1)
        with pytest.raises(MaxQuantityError) as raised:
            await mochila.add(ANA, ROSE, reason=ADMIN_GRANT, idempotency_key="k-more")
        assert raised.value.message == "En una mochila caben como mucho 5 «Rosa», y ya hay 5."
        assert await held(mochila) == {ROSE: ROSE_LIMIT}

    async def test_a_stackable_item_without_maximum_stops_at_the_global_one(self, mochila: Mochila) -> None:
        """No line ever passes MAX_QUANTITY, however many times an unlimited item is added."""
        await give(mochila, BOUQUET, MAX_QUANTITY)
        with pytest.raises(MaxQuantityError, match=r"como mucho 1\.000\.000 «Ramo»"):
            await give(mochila, BOUQUET, 1)

    @pytest.mark.parametrize("quantity", [0, -1, MAX_QUANTITY + 1, True, 1.5, "2"])
    async def test_bad_quantities_are_refused(self, mochila: Mochila, quantity: object) -> None:
        """A quantity must be a whole number from 1 to 1.000.000."""
        with pytest.raises(InvalidQuantityError, match=r"entre 1 y 1\.000\.000"):
            await mochila.add(ANA, ROSE, quantity, reason=ADMIN_GRANT, idempotency_key="k")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("user", "item", "key", "reason", "note", "message"),
        [
            (0, ROSE, "k", ADMIN_GRANT, None, "El id de usuario"),
            (True, ROSE, "k", ADMIN_GRANT, None, "El id de usuario"),
            (ANA, "", "k", ADMIN_GRANT, None, "El id de un objeto"),
            (ANA, "x" * 65, "k", ADMIN_GRANT, None, "El id de un objeto"),
            (ANA, ROSE, "  ", ADMIN_GRANT, None, "La clave de idempotencia"),
            (ANA, ROSE, "k" * 201, ADMIN_GRANT, None, "La clave de idempotencia"),
            (ANA, ROSE, "k", "Regalo", None, "El motivo"),
            (ANA, ROSE, "k", ADMIN_GRANT, "n" * 201, "La nota no puede tener más de 200 caracteres."),
        ],
    )
    async def test_bad_input_is_refused_in_spanish(
        self, mochila: Mochila, user: int, item: str, key: str, reason: str, note: str | None, message: str
    ) -> None:
        """Malformed ids, keys, reasons and notes are refused before anything is read or written."""
        with pytest.raises(InvalidInputError, match=message):
            await mochila.add(UserId(user), item, reason=reason, idempotency_key=key, note=note)


class TestIdempotency:
    async def test_a_replayed_key_returns_the_first_result_and_changes_nothing(
        self, mochila: Mochila, storage: InMemoryStorage
    ) -> None:
        """The same key and operation again returns the first operation; no second change, no second event."""
        first = await mochila.add(ANA, ROSE, 2, reason=ADMIN_GRANT, idempotency_key="k")
        again = await mochila.add(ANA, ROSE, 2, reason=ADMIN_GRANT, idempotency_key="k", note="otra nota")
        assert again == first
        assert await held(mochila) == {ROSE: 2}
        assert len(await recorded_events(storage)) == 1

    async def test_a_replayed_combination_may_name_its_ingredients_in_either_order(
        self, mochila: Mochila
    ) -> None:
        """``A + B`` and ``B + A`` under one key are one combination."""
        await give(mochila, LEFT)
        await give(mochila, RIGHT)
        first = await mochila.combine(ANA, LEFT, RIGHT, idempotency_key="c")
        assert await mochila.combine(ANA, RIGHT, LEFT, idempotency_key="c") == first
        assert await held(mochila) == {LETTER: 1}

    async def test_a_reused_key_is_refused_and_changes_nothing(
        self, mochila: Mochila, storage: InMemoryStorage
    ) -> None:
        """A key used for one operation is refused for any other: item, quantity, kind, reason or user."""
        await mochila.add(ANA, ROSE, 2, reason=ADMIN_GRANT, idempotency_key="k")
        others = [
            mochila.add(ANA, BOUQUET, 2, reason=ADMIN_GRANT, idempotency_key="k"),
            mochila.add(ANA, ROSE, 1, reason=ADMIN_GRANT, idempotency_key="k"),
            mochila.add(ANA, ROSE, 2, reason="store_purchase", idempotency_key="k"),
            mochila.remove(ANA, ROSE, 2, reason=ADMIN_GRANT, idempotency_key="k"),
            mochila.add(LUIS, ROSE, 2, reason=ADMIN_GRANT, idempotency_key="k"),
            mochila.use(ANA, ROSE, idempotency_key="k"),
        ]
        for other in others:
            with pytest.raises(IdempotencyKeyReusedError):
                await other
        assert await held(mochila) == {ROSE: 2}
        assert await held(mochila, LUIS) == {}
        assert len(await recorded_events(storage)) == 1

    async def test_a_refused_operation_keeps_no_key(self, mochila: Mochila) -> None:
        """An operation refused by a rule stores nothing: its key works for a later, valid operation."""
        with pytest.raises(NotEnoughItemsError):
            await mochila.remove(ANA, ROSE, reason=ADMIN_GRANT, idempotency_key="k")
        await mochila.add(ANA, ROSE, reason=ADMIN_GRANT, idempotency_key="k")
        assert await held(mochila) == {ROSE: 1}

    async def test_the_operation_and_its_event_share_the_correlation_id(
        self, mochila: Mochila, storage: InMemoryStorage
    ) -> None:
        """An operation carries the correlation id of the work that caused it, and so does its event."""
        with correlation_scope(CorrelationId("tg-7")):
            operation = await mochila.add(ANA, ROSE, reason=ADMIN_GRANT, idempotency_key="k")
        (event,) = await recorded_events(storage)
        assert operation.correlation_id == event.correlation_id == "tg-7"


class TestRemoveAndUse:
    async def test_remove_takes_items_out_and_never_below_zero(
        self, mochila: Mochila, storage: InMemoryStorage
    ) -> None:
        """A removal takes what is held; asking for more is refused, naming what there is."""
        await give(mochila, ROSE, 3)
        removed = await mochila.remove(ANA, ROSE, 2, reason="admin_removal", idempotency_key="r1")
        assert removed.quantity_after(ROSE) == 1
        with pytest.raises(NotEnoughItemsError) as raised:
            await mochila.remove(ANA, ROSE, 2, reason="admin_removal", idempotency_key="r2")
        assert raised.value.message == "No hay suficientes «Rosa» en la mochila: hay 1 y hacen falta 2."
        assert raised.value.detail == {"item_id": ROSE, "held": 1, "needed": 2}
        with pytest.raises(NotEnoughItemsError, match=r"No hay ningún «Ramo» en la mochila\."):
            await mochila.remove(ANA, BOUQUET, reason="admin_removal", idempotency_key="r3")
        assert await held(mochila) == {ROSE: 1}
        assert isinstance((await recorded_events(storage))[-1], ItemRemoved)

    async def test_an_item_gone_from_the_catalog_can_still_be_seen_and_taken_out(
        self, storage: InMemoryStorage, clock: FakeClock, mochila: Mochila
    ) -> None:
        """After the creator removes an item, mochilas holding it list it by id and can drop it."""
        await give(mochila, CHEST)
        smaller = ItemCatalog(
            items=tuple(item for item in small_catalog().items if item.id not in {CHEST, DIARY, KEY}),
            recipes=tuple(r for r in small_catalog().recipes if CHEST not in r.ingredients),
        )
        later = Mochila(storage.transactions, storage.inventory_queries, smaller, clock, SequentialIds("l"))
        (listed,) = (await later.inventory(ANA)).items
        assert (listed.item_id, listed.quantity, listed.definition, listed.name) == (CHEST, 1, None, CHEST)
        assert (await later.item(ANA, CHEST)).quantity == 1
        await later.remove(ANA, CHEST, reason="admin_removal", idempotency_key="r")
        assert await held(later) == {}
        with pytest.raises(UnknownItemError):
            await later.remove(ANA, CHEST, reason="admin_removal", idempotency_key="r2")
        with pytest.raises(UnknownItemError):
            await later.item(ANA, CHEST)

    async def test_use_uses_one_up(self, mochila: Mochila, storage: InMemoryStorage) -> None:
        """Using an item takes one and publishes ItemUsed; with none left it is refused."""
        await give(mochila, ROSE, 2)
        used = await mochila.use(ANA, ROSE, idempotency_key="u1")
        assert used.quantity_after(ROSE) == 1
        event = (await recorded_events(storage))[-1]
        assert isinstance(event, ItemUsed)
        assert (event.item_id, event.quantity_after, event.operation_id) == (ROSE, 1, used.operation_id)
        await mochila.use(ANA, ROSE, idempotency_key="u2")
        with pytest.raises(NotEnoughItemsError):
            await mochila.use(ANA, ROSE, idempotency_key="u3")
        with pytest.raises(UnknownItemError):
            await mochila.use(ANA, "nada", idempotency_key="u4")
        assert await held(mochila) == {}


class TestCombine:
    async def test_two_items_become_their_result_in_either_order(
        self, mochila: Mochila, storage: InMemoryStorage
    ) -> None:
        """A combination takes one of each ingredient and adds the result, and says so in one event."""
        await give(mochila, LEFT)
        await give(mochila, RIGHT)
        combined = await mochila.combine(ANA, RIGHT, LEFT, idempotency_key="c")
        assert await held(mochila) == {LETTER: 1}
        assert [(c.item_id, c.delta, c.quantity_after) for c in combined.changes] == [
            (RIGHT, -1, 0),
            (LEFT, -1, 0),
            (LETTER, 1, 1),
        ]
        event = (await recorded_events(storage))[-1]
        assert isinstance(event, ItemsCombined)
        assert (event.ingredients, event.result, event.result_quantity_after) == ((RIGHT, LEFT), LETTER, 1)

    async def test_an_item_combined_with_itself_takes_two(self, mochila: Mochila) -> None:
        """``A + A`` needs two of A and takes both."""
        await give(mochila, ROSE)
        with pytest.raises(NotEnoughItemsError, match="hay 1 y hacen falta 2"):
            await mochila.combine(ANA, ROSE, ROSE, idempotency_key="c1")
        await give(mochila, ROSE, 2, key="more")
        await mochila.combine(ANA, ROSE, ROSE, idempotency_key="c2")
        assert await held(mochila) == {ROSE: 1, BOUQUET: 1}

    async def test_a_pair_without_recipe_is_refused(self, mochila: Mochila) -> None:
        """Items no recipe joins are refused by name, whether they are held or not."""
        with pytest.raises(NoRecipeError) as raised:
            await mochila.combine(ANA, LEFT, ROSE, idempotency_key="c1")
        assert raised.value.message == "«Media carta (izquierda)» y «Rosa» no se combinan en nada."
        with pytest.raises(NoRecipeError, match=r"Dos «Llave» no se combinan en nada\."):
            await mochila.combine(ANA, KEY, KEY, idempotency_key="c2")
        with pytest.raises(UnknownItemError):
            await mochila.combine(ANA, LEFT, "nada", idempotency_key="c3")

    async def test_a_combination_is_all_or_nothing(self, mochila: Mochila, storage: InMemoryStorage) -> None:
        """When the result cannot go in (a second non-stackable one), the ingredients stay where they were."""
        await give(mochila, KEY)
        await give(mochila, CHEST)
        await give(mochila, DIARY)
        events = len(await recorded_events(storage))
        with pytest.raises(ItemNotStackableError, match="«Diario» no es apilable"):
            await mochila.combine(ANA, KEY, CHEST, idempotency_key="c")
        assert await held(mochila) == {KEY: 1, CHEST: 1, DIARY: 1}
        assert len(await recorded_events(storage)) == events

    async def test_a_missing_ingredient_changes_nothing(self, mochila: Mochila) -> None:
        """Holding one ingredient of two is not enough; the one held stays."""
        await give(mochila, LEFT)
        with pytest.raises(NotEnoughItemsError, match="No hay ningún «Media carta \\(derecha\\)»"):
            await mochila.combine(ANA, LEFT, RIGHT, idempotency_key="c")
        assert await held(mochila) == {LEFT: 1}


class TestQueries:
    async def test_the_mochila_pages_by_item_id_with_the_catalogs_entries(self, mochila: Mochila) -> None:
        """Pages list what is held by item id, each with its catalog entry, and count them all."""
        for item in (ROSE, LEFT, KEY, BOUQUET):
            await give(mochila, item)
        view = await mochila.inventory(ANA, limit=2, offset=1)
        assert [item.item_id for item in view.items] == [KEY, BOUQUET]  # carta-izquierda, llave, ramo, rosa
        assert [item.name for item in view.items] == ["Llave", "Ramo"]
        assert (view.total, view.limit, view.offset, view.user_id) == (4, 2, 1, ANA)

    @pytest.mark.parametrize(("limit", "offset"), [(0, 0), (101, 0), (1, -1), (1, 2**53), (True, 0)])
    async def test_bad_pages_are_refused(self, mochila: Mochila, limit: int, offset: int) -> None:
        """Pages hold 1 to 100 items and start from 0 to 2⁵³−1."""
        with pytest.raises(InvalidInputError):
            await mochila.inventory(ANA, limit=limit, offset=offset)

    async def test_an_item_shows_how_many_are_held(self, mochila: Mochila) -> None:
        """A catalog item not held shows quantity 0; an id nobody knows is refused."""
        await give(mochila, ROSE, 2)
        assert (await mochila.item(ANA, ROSE)).quantity == 2
        assert (await mochila.item(ANA, LEFT)).quantity == 0
        with pytest.raises(UnknownItemError):
            await mochila.item(ANA, "nada")

    async def test_combinations_offer_what_is_held(self, mochila: Mochila) -> None:
        """Only partners held in enough number are offered, and only for an item that is held."""
        assert await mochila.combinations(ANA, LEFT) == ()
        await give(mochila, LEFT)
        assert await mochila.combinations(ANA, LEFT) == ()
        await give(mochila, RIGHT)
        (option,) = await mochila.combinations(ANA, LEFT)
        assert (option.partner.item_id, option.partner.quantity, option.result.id) == (RIGHT, 1, LETTER)
        await give(mochila, ROSE)
        assert await mochila.combinations(ANA, ROSE) == ()
        await give(mochila, ROSE, key="second")
        (roses,) = await mochila.combinations(ANA, ROSE)
        assert (roses.partner.item_id, roses.result.id) == (ROSE, BOUQUET)
        assert await mochila.combinations(ANA, BOUQUET) == ()
