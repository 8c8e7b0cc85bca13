"""How much each scenario does per run, and how many runs: the full plan, the quick one, the warm-up."""

from dataclasses import dataclass, replace

from benchmarks import wallet


@dataclass(frozen=True, slots=True)
class Plan:
    """Sizes of every scenario's run, and the number of timed rounds."""

    repeats: int
    users: int = 1000
    sequence: tuple[int, ...] = wallet.FULL_SEQUENCE
    mongo_users: int = 1000
    mongo_sequence: tuple[int, ...] = wallet.SHORT_SEQUENCE
    raw_seconds: float = 1.5
    sequential_seconds: float = 1.5
    credit_users: int = 1000
    inventory_users: int = 1000
    store_users: int = 1000
    """Fans buying in the tienda at once."""
    ranking_reads: int = 5000
    """/ranking boards read one after another, among 10,000 fans."""
    credits_per_user: int = 4
    bus_sequential: int = 1000
    bus_bursts: int = 20
    bus_burst_size: int = 50
    saldo_updates: int = 1000
    saldo_concurrency: int = 16
    api_requests: int = 3000
    api_concurrency: int = 16
    vip_rounds: int = 3
    """Times each of the 10,000 fans is asked "is VIP?" per run."""
    timers: int = 10_000
    timer_lead: float = 1.0
    """Seconds between scheduling the timers and their due time (scheduling 10,000 takes a fraction)."""
    story_fans: int = 1000
    """Fans taking the story's path at once (each makes ``len(story.PATH)`` decisions)."""
    story_taps: int = 1000
    """/historia button presses, one after another, through each dispatcher."""
    auction_bidders: int = 1000
    """Fans bidding at once on one hot auction."""
    auction_closes: int = 100
    """Auctions ending at the same instant, for the close → notified latency."""
    auction_lead: float = 3.0
    """Seconds between creating them and their end (creating and bidding 100 takes a fraction)."""
    sweep_fans: int = 10_000
    """VIPs ending in the same second, for the expiry sweep (run once, after the rounds: it is bound by
    Telegram's 30 messages per second, so it takes minutes and varies little)."""
    broadcast_fans: int = 10_000
    """Fans of the one broadcast (run once, after the rounds: bound by Telegram's 30/s, minutes)."""
    due_posts: int = 100
    """Posts due in the same second (run once: bound by Telegram's one message a second per channel)."""
    reactions: int = 1000
    """Fans reacting once each in a group, through the product's dispatcher."""
    reaction_concurrency: int = 16
    mission_fans: int = 200
    mission_events: int = 10
    """Reactions each of ``mission_fans`` hands to the missions, in turn (the fans at once)."""

    @classmethod
    def full(cls, repeats: int = 5) -> "Plan":
        """The default run: several minutes on a 2-core machine."""
        return cls(repeats=repeats)

    @classmethod
    def quick(cls, repeats: int = 2) -> "Plan":
        """A smoke run: the same scenarios, smaller (under about a minute)."""
        return cls(
            repeats=repeats,
            users=300,
            mongo_users=50,
            raw_seconds=0.3,
            sequential_seconds=0.3,
            credit_users=300,
            inventory_users=300,
            store_users=300,
            ranking_reads=500,
            credits_per_user=2,
            bus_sequential=100,
            bus_bursts=3,
            saldo_updates=100,
            api_requests=300,
            vip_rounds=1,
            timers=1000,
            timer_lead=0.2,
            story_fans=200,
            story_taps=200,
            auction_bidders=300,
            auction_closes=30,
            auction_lead=1.5,
            sweep_fans=300,
            broadcast_fans=300,
            due_posts=20,
            reactions=200,
            mission_fans=50,
            mission_events=5,
        )

    def warm_up(self) -> "Plan":
        """The discarded warm-up round: every scenario once, small."""
        return replace(
            self,
            repeats=1,
            users=50,
            mongo_users=10,
            raw_seconds=0.1,
            sequential_seconds=0.1,
            credit_users=50,
            inventory_users=50,
            store_users=50,
            ranking_reads=50,
            credits_per_user=1,
            bus_sequential=20,
            bus_bursts=1,
            bus_burst_size=10,
            saldo_updates=20,
            api_requests=50,
            vip_rounds=1,
            timers=200,
            timer_lead=0.1,
            reactions=20,
            mission_fans=5,
            mission_events=2,
            story_fans=20,
            story_taps=20,
            auction_bidders=50,
            auction_closes=10,
            auction_lead=1.0,
        )
