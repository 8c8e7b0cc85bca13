"""The subscription service over the in-memory backend, the fake clock and the suites' small plans."""

import pytest

from tests.contracts.subscription_fixtures import subscription_service
from yabot_adapters.memory import InMemoryStorage
from yabot_core.kernel import FakeClock
from yabot_core.subscriptions import SubscriptionService


@pytest.fixture(name="service")
def service_fixture(storage: InMemoryStorage, clock: FakeClock) -> SubscriptionService:
    return subscription_service(storage, clock)
