"""Module manifests: names a package can carry, and the start order their dependencies give."""

import pytest

from yabot_core.kernel import ModuleManifest, in_dependency_order


def manifest(name: str, *depends_on: str) -> ModuleManifest:
    return ModuleManifest(name=name, title=f"Módulo {name}", depends_on=depends_on)


def names(manifests: object) -> list[str]:
    return [m.name for m in manifests]  # type: ignore[attr-defined]


class TestManifest:
    @pytest.mark.parametrize("name", ["users", "a", "daily_gift", "m2", "a" * 32])
    def test_package_like_names_are_accepted(self, name: str) -> None:
        """A name is a lowercase letter, then up to 31 lowercase letters, digits or underscores."""
        assert ModuleManifest(name=name, title="Algo").name == name

    @pytest.mark.parametrize("name", ["", "Users", "2fa", "_private", "daily-gift", "dónde", "a b", "a" * 33])
    def test_other_names_are_refused(self, name: str) -> None:
        """Uppercase, a leading digit or underscore, dashes, accents, spaces or 33+ characters are refused."""
        with pytest.raises(ValueError, match="lowercase letters, digits and underscores"):
            ModuleManifest(name=name, title="Algo")

    def test_a_module_cannot_depend_on_itself(self) -> None:
        """Naming oneself among one's dependencies is refused when the manifest is made."""
        with pytest.raises(ValueError, match="cannot depend on itself"):
            manifest("wallet", "users", "wallet")

    def test_manifests_are_immutable(self) -> None:
        """A manifest cannot be edited after it is made (the registry relies on it)."""
        made = manifest("wallet", "users")
        with pytest.raises(AttributeError):
            made.name = "other"  # type: ignore[misc]


class TestDependencyOrder:
    def test_each_module_comes_after_what_it_depends_on(self) -> None:
        """Dependencies start first, whatever order the registry lists them in."""
        ordered = names(
            in_dependency_order(
                [
                    manifest("store", "wallet", "inventory"),
                    manifest("wallet", "users"),
                    manifest("inventory", "users"),
                    manifest("users"),
                ]
            )
        )
        assert sorted(ordered) == ["inventory", "store", "users", "wallet"]
        position = {name: index for index, name in enumerate(ordered)}
        assert position["users"] < position["wallet"] < position["store"]
        assert position["users"] < position["inventory"] < position["store"]

    def test_independent_modules_keep_registry_order(self) -> None:
        """Modules with nothing between them keep the order the registry gave them."""
        assert names(in_dependency_order([manifest("c"), manifest("a"), manifest("b")])) == ["c", "a", "b"]
        assert names(in_dependency_order([manifest("b", "a"), manifest("a"), manifest("c", "a")])) == [
            "a",
            "b",
            "c",
        ]

    def test_the_order_is_the_same_every_time(self) -> None:
        """The same registry always gives the same order (start and stop are reproducible)."""
        registry = [manifest("x", "z"), manifest("y"), manifest("z", "y"), manifest("w")]
        first = names(in_dependency_order(registry))
        assert all(names(in_dependency_order(registry)) == first for _ in range(5))

    def test_nothing_registered_is_an_empty_order(self) -> None:
        """No modules, nothing to start."""
        assert list(in_dependency_order([])) == []

    def test_an_unregistered_dependency_is_named(self) -> None:
        """Depending on a module that is not registered fails, naming the module and what it lacks."""
        with pytest.raises(ValueError, match="module 'store' depends on inventory, wallet, which is not"):
            in_dependency_order([manifest("users"), manifest("store", "wallet", "inventory", "users")])

    def test_a_cycle_is_refused_naming_its_modules(self) -> None:
        """Modules that depend on each other (directly or around a loop) cannot be ordered."""
        with pytest.raises(ValueError, match="cycle: a, b") as direct:
            in_dependency_order([manifest("users"), manifest("a", "b"), manifest("b", "a", "users")])
        assert "users" not in str(direct.value)
        with pytest.raises(ValueError, match="cycle: x, y, z"):
            in_dependency_order([manifest("x", "z"), manifest("y", "x"), manifest("z", "y")])

    def test_two_modules_with_one_name_are_refused(self) -> None:
        """A name is registered once: two manifests sharing it cannot be told apart."""
        with pytest.raises(ValueError, match="share a name"):
            in_dependency_order([manifest("users"), manifest("wallet", "users"), manifest("users")])

    def test_any_iterable_is_read_once(self) -> None:
        """A generator of manifests (as the app passes) is ordered like a list."""
        registry = [manifest("wallet", "users"), manifest("users")]
        assert names(in_dependency_order(m for m in registry)) == ["users", "wallet"]
