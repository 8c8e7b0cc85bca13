"""YABOT's settings: ``YABOT_*`` environment variables, then a ``.env`` file, then these defaults."""

import ipaddress
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Final, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from yabot_core.wallet import MAX_AMOUNT

SQLITE_FILE = "yabot.sqlite3"
MAX_USER_RATE = 1000
MIN_USER_PERIOD = 0.1
MAX_USER_PERIOD = 3600.0
WEBHOOK_SECRET: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""What Telegram accepts as a webhook's ``secret_token``."""
PRODUCTION: Final = {"storage": "mongo", "bus": "redis", "telegram_mode": "webhook", "shared_state": "redis"}
"""What the production profile changes, unless each is set explicitly."""


class Settings(BaseSettings):
    """Every knob of a YABOT process. Each field's description is what README's configuration table says."""

    model_config = SettingsConfigDict(
        env_prefix="YABOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    profile: Literal["embedded", "production"] = Field(
        default="embedded",
        description=(
            "What a process is by default: `embedded` (SQLite, the local bus, long polling: one process, no"
            " services) or `production` (MongoDB, Redis Streams, the webhook: N identical processes);"
            " `YABOT_STORAGE`, `YABOT_BUS`, `YABOT_TELEGRAM_MODE` and `YABOT_SHARED_STATE`, when set, win"
            " over it."
        ),
    )
    storage: Literal["memory", "sqlite", "mongo"] = Field(
        default="sqlite",
        description=(
            "Storage backend: `sqlite` (embedded, one file), `mongo` (production), `memory` (lost on exit)."
            " Unset under the production profile: `mongo`."
        ),
    )
    data_dir: Path = Field(
        default=Path("./yabot-data"),
        description="Directory for the SQLite database (`yabot.sqlite3`) and other local data.",
    )
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL",
        description="SQLite durability: `FULL` survives power loss; `NORMAL` survives crashes and is faster.",
    )
    mongo_url: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:27017/?replicaSet=rs0"),
        description="MongoDB connection URL (a replica set: transactions need one).",
    )
    mongo_database: str = Field(default="yabot", description="MongoDB database name.")
    mongo_exclusive: bool = Field(
        default=False,
        description=(
            "Only for the nx-27017 test server (a standalone that cannot isolate transactions): admit it and"
            " run this process's storage operations one at a time. Never on a real MongoDB."
        ),
    )
    bus: Literal["local", "redis"] = Field(
        default="local",
        description=(
            "Event delivery: `local` (relays in this process, over the storage's outbox) or `redis` (Redis "
            "Streams, a consumer group per handler: several processes share the work). Unset under the"
            " production profile: `redis`."
        ),
    )
    redis_url: SecretStr = Field(
        default=SecretStr("redis://127.0.0.1:6379/0"),
        description="Redis connection URL, used when `YABOT_BUS=redis` or `YABOT_SHARED_STATE=redis`.",
    )
    redis_prefix: str = Field(
        default="yabot",
        min_length=1,
        description="Prefix of every Redis key YABOT writes (two bots on one Redis need two prefixes).",
    )
    redis_partitions: int = Field(
        default=8,
        ge=1,
        le=1024,
        description=(
            "How many Redis streams carry the events (one user's always the same one); change it only "
            "with no events pending."
        ),
    )
    shared_state: Literal["memory", "redis"] = Field(
        default="memory",
        description=(
            "Where the processes keep what they must count and remember together (each fan's pace, the API's"
            " rate limits, the bot's conversation states): `memory` (this process alone) or `redis` (every"
            " process behind the proxy shares it). Unset under the production profile: `redis`."
        ),
    )
    bot_token: SecretStr | None = Field(
        default=None,
        description="Telegram bot token from @BotFather. Without it the bot is off and only the API runs.",
    )
    telegram_mode: Literal["polling", "webhook"] = Field(
        default="polling",
        description=(
            "How the bot gets updates: `polling` (it asks Telegram; no public URL needed) or `webhook`"
            " (Telegram pushes them to `POST /telegram/webhook`; register it with `yabot webhook set URL`)."
            " Unset under the production profile: `webhook`."
        ),
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description=(
            "The secret Telegram sends with every webhook request (`X-Telegram-Bot-Api-Secret-Token`; 1 to"
            " 256 letters, digits, `_` or `-`); needed in webhook mode. `yabot webhook set URL --secret"
            " auto` makes one."
        ),
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        description="Bot API base URL (a local Bot API server, or a test server).",
    )
    bot_username: str | None = Field(
        default=None,
        description=(
            "The bot's @username, for the VIP tokens' links (t.me/<username>?start=<code>). Unset: asked of"
            " Telegram (getMe) when there is a bot token."
        ),
    )
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        description=(
            "Telegram user ids of the creator and her admins, comma-separated (`123,456`); "
            "only they may open /admin, and they are alerted when an event fails."
        ),
    )
    api_host: str = Field(default="127.0.0.1", description="Address the HTTP API listens on.")
    api_port: int = Field(default=8080, ge=1, le=65535, description="Port the HTTP API listens on.")
    api_rate_limit_per_minute: int = Field(
        default=600, ge=0, description="Requests per minute per client on the API (`0` turns the limit off)."
    )
    api_trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Reverse proxies whose `X-Forwarded-For` names the client, as IPs or CIDR networks, "
            "comma-separated (`10.0.0.5,10.1.0.0/16`). Empty: the client is the connecting address, "
            "whatever the headers say."
        ),
    )
    api_initdata_max_age: int = Field(
        default=3600,
        ge=1,
        description=(
            "Seconds a Telegram Mini App's `initData` opens the API after Telegram signed it; older ones are "
            "refused with `initdata_caducado` (the Mini App must be reopened)."
        ),
    )
    telegram_user_rate: int = Field(
        default=10,
        description=(
            "Messages and button presses one user may send the bot per `YABOT_TELEGRAM_USER_PERIOD`; past "
            "them Lucien asks once for a pause and ignores that user for the period (`0` turns it off)."
        ),
    )
    telegram_user_period: float = Field(
        default=10.0,
        description="Seconds `YABOT_TELEGRAM_USER_RATE` counts over, and how long a flooder is ignored.",
    )
    welcome_besitos: int = Field(
        default=10,
        ge=0,
        le=MAX_AMOUNT,
        description="Besitos every new user receives once (`0` turns it off).",
    )
    timezone: str = Field(
        default="UTC",
        description="Time zone for dates shown to users and for the daily gift's day (IANA name).",
    )
    daily_gift_reminder_hour: int = Field(
        default=19,
        ge=0,
        le=23,
        description="Hour (in `YABOT_TIMEZONE`) Lucien reminds fans who asked of a daily gift unclaimed.",
    )
    daily_gift_seed: int | None = Field(
        default=None,
        description="Seed of the daily gift's surprise draw, for demonstrations and tests (unset: random).",
    )
    reaction_refresh_seconds: float = Field(
        default=3.0,
        ge=0,
        le=60,
        description=(
            "Seconds between two edits of the reaction counts under posts in one channel (Telegram allows"
            " about 20 edits a minute per chat)."
        ),
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Logging level."
    )
    outbox_poll_interval: float = Field(
        default=1.0,
        gt=0,
        description="Seconds between outbox checks for events committed by other processes.",
    )
    outbox_lease_seconds: float = Field(
        default=15.0,
        gt=0,
        description=(
            "How long one process keeps the right to deliver events; a crashed one is replaced after it."
        ),
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description=(
            "How long a process keeps a Telegram update it is handling; if it dies, another handles it after"
            " that. Longer than the slowest update takes."
        ),
    )
    shutdown_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds each shutdown step (updates in hand, requests, event deliveries) may take.",
    )
    vip_channel_id: int | None = Field(
        default=None,
        description=(
            "Telegram id of the VIP channel (`-100…`); the bot must be its admin, able to invite and ban. "
            "Unset: nobody is let in or shown out (VIP still counts everywhere else)."
        ),
    )
    free_channel_id: int | None = Field(
        default=None, description="Telegram id of the free channel (`-100…`), if there is one."
    )
    telegram_chat_interval: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description=(
            "Seconds between two messages to one chat (a fan, a channel). Telegram asks for about 1 s; raise "
            "it for channels that post in bursts. `0` only against a private test server."
        ),
    )
    broadcast_lease_seconds: int = Field(
        default=15,
        ge=2,
        le=600,
        description=(
            "Seconds a process holds a broadcast it sends without renewing; if it dies, another process (or "
            "it, restarted) resumes the broadcast after this long."
        ),
    )
    vip_join_requests: bool = Field(
        default=False,
        description=(
            "`true`: the VIP channel runs on join requests (VIPs approved, others declined and told how to "
            "buy); `false`: each new VIP gets a single-use invite link."
        ),
    )
    vip_invite_hours: int = Field(
        default=24,
        ge=1,
        le=24 * 30,
        description="Hours a VIP's personal invite link works (never past the VIP).",
    )
    vip_reconcile_minutes: int = Field(
        default=60,
        ge=5,
        le=7 * 24 * 60,
        description=(
            "Minutes between reconciliations of the VIP channel: members seen inside without VIP are shown "
            "out (never an admin)."
        ),
    )
    backup_hours: int = Field(
        default=6,
        ge=0,
        le=24 * 7,
        description=(
            "Hours between automatic backups (`0` turns them off); one process takes each, however many run."
        ),
    )
    alert_check_seconds: float = Field(
        default=15,
        ge=0,
        le=60,
        description=(
            "Seconds between two looks of the monitor that alerts the admins (breakers, outbox, modules' "
            "health, SLAs); `0` turns it off. Within a minute, the seed asks."
        ),
    )
    telegram_breaker_failures: int = Field(
        default=5,
        ge=1,
        le=100,
        description=(
            "Bot API calls failing in a row (5xx, no connection) that open the Telegram breaker for 30 s; "
            "meanwhile messages wait in the outbox."
        ),
    )
    alert_outbox_events: int = Field(
        default=1000,
        ge=1,
        description="Events waiting in the outbox from which the admins are alerted that it is growing.",
    )
    alert_sla_minutes: int = Field(
        default=5,
        ge=1,
        le=120,
        description="Minutes an SLA (events 500 ms, storage 100 ms) must stay breached before an alert.",
    )
    reconcile_hours: int = Field(
        default=24,
        ge=0,
        le=24 * 30,
        description=(
            "Hours between automatic reconciliations (balances, mochilas, tienda counters and VIP histories "
            "checked; `0` turns them off)."
        ),
    )
    backup_dir: Path | None = Field(
        default=None,
        description="Directory of the automatic backups. Unset: `backups` under `YABOT_DATA_DIR`.",
    )
    backup_keep: int = Field(
        default=8, ge=1, le=1000, description="How many automatic backups to keep (older ones are removed)."
    )

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            msg = "debe tener de 1 a 256 letras, cifras, _ o - (lo que Telegram admite como secreto)"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _profile_defaults(self) -> Self:
        """Under the production profile, what is not set explicitly takes production's value."""
        if self.profile == "production":
            explicit = set(self.model_fields_set)
            for name, value in PRODUCTION.items():
                if name not in explicit:
                    setattr(self, name, value)
        return self

    def missing_to_serve(self) -> list[str]:
        """The settings ``yabot run`` needs and lacks, by their variable names (empty: nothing is missing).

        Production must not run on a default that only suits a laptop (a Mongo or Redis on localhost); a
        webhook needs the bot's token and the secret Telegram will present.
        """
        explicit = self.model_fields_set
        production = self.profile == "production"
        missing = []
        if production and self.storage == "mongo" and "mongo_url" not in explicit:
            missing.append("YABOT_MONGO_URL")
        uses_redis = self.bus == "redis" or self.shared_state == "redis"
        if production and uses_redis and "redis_url" not in explicit:
            missing.append("YABOT_REDIS_URL")
        if self.telegram_mode == "webhook":
            if production and self.telegram_state == "off":
                missing.append("YABOT_BOT_TOKEN")
            if self.telegram_state == "on" and self.webhook_secret is None:
                missing.append("YABOT_WEBHOOK_SECRET")
        return missing

    @field_validator("bot_username")
    @classmethod
    def _bot_username(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        name = value.strip().removeprefix("@")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", name):
            msg = "debe ser el @usuario del bot: de 4 a 32 letras, cifras o _, empezando por una letra"
            raise ValueError(msg)
        return name

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept ``"1, 2,3"`` (and ``"[1, 2]"``) as well as a list."""
        if isinstance(value, str):
            return [part.strip() for part in value.strip().strip("[]").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("api_trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        """Accept ``"10.0.0.5, 10.1.0.0/16"`` as well as a list."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("api_trusted_proxies")
    @classmethod
    def _ip_or_network(cls, value: list[str]) -> list[str]:
        """Only addresses and networks: a host name or ``*`` would trust forwarded headers too widely."""
        trusted = []
        for proxy in value:
            try:
                trusted.append(str(ipaddress.ip_network(proxy, strict=False)))
            except ValueError as exc:
                msg = f"proxy no válido: {proxy!r} (escriba IPs o redes CIDR, como 10.0.0.5 o 10.0.0.0/8)"
                raise ValueError(msg) from exc
        return trusted

    @field_validator("telegram_user_rate")
    @classmethod
    def _user_rate(cls, value: int) -> int:
        if not 0 <= value <= MAX_USER_RATE:
            msg = f"debe estar entre 0 y {MAX_USER_RATE} (0 desactiva el límite por usuario)"
            raise ValueError(msg)
        return value

    @field_validator("telegram_user_period")
    @classmethod
    def _user_period(cls, value: float) -> float:
        if not MIN_USER_PERIOD <= value <= MAX_USER_PERIOD:
            msg = f"debe estar entre {MIN_USER_PERIOD:g} y {MAX_USER_PERIOD:g} segundos"
            raise ValueError(msg)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"zona horaria desconocida: {value!r} (usa un nombre IANA como 'Europe/Madrid')"
            raise ValueError(msg) from exc
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            msg = "la URL de la Bot API debe empezar por http:// o https://"
            raise ValueError(msg)
        return value.rstrip("/")

    @property
    def telegram_state(self) -> Literal["on", "off"]:
        """Whether the bot runs: ``"on"`` exactly when a token is set."""
        return "on" if self.bot_token and self.bot_token.get_secret_value().strip() else "off"

    @property
    def admin_alerts_state(self) -> Literal["on", "off"]:
        """Whether admins are told of failed events: ``"on"`` when the bot runs and admins are named."""
        return "on" if self.telegram_state == "on" and self.admin_ids else "off"

    @property
    def api_rate_limit(self) -> int | None:
        """Requests per minute per client, or ``None`` when the limit is off."""
        return self.api_rate_limit_per_minute or None

    @property
    def initdata_max_age(self) -> timedelta:
        """How long a Mini App's ``initData`` is accepted after Telegram signed it."""
        return timedelta(seconds=self.api_initdata_max_age)

    @property
    def telegram_user_pace(self) -> tuple[int, float] | None:
        """Messages per seconds one user may send the bot, or ``None`` when that limit is off."""
        return (self.telegram_user_rate, self.telegram_user_period) if self.telegram_user_rate else None

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def content_dir(self) -> Path:
        """Where the creator's content lives (texts, catalogs, the story): ``YABOT_DATA_DIR/content``."""
        return self.data_dir / "content"

    @property
    def backups_dir(self) -> Path:
        """Where backups go by default: ``YABOT_BACKUP_DIR``, else ``backups`` in the data directory."""
        return self.backup_dir if self.backup_dir is not None else self.data_dir / "backups"

    @property
    def sqlite_path(self) -> Path:
        """Where the SQLite database lives."""
        return self.data_dir / SQLITE_FILE

    def describe_vip_channel(self) -> str:
        """Say in Spanish whether the VIP channel's door is on, for the start-up banner."""
        if self.vip_channel_id is None:
            return (
                "Canal VIP sin configurar: nadie entra ni sale por la puerta (defina YABOT_VIP_CHANNEL_ID)."
            )
        how = "solicitudes de ingreso" if self.vip_join_requests else "enlaces personales de un solo uso"
        return f"Canal VIP {self.vip_channel_id}: se entra con {how}; al caducar, se expulsa y readmite."

    def describe_storage(self) -> str:
        """Say in Spanish where data lives, for the start-up banner."""
        if self.storage == "sqlite":
            return f"SQLite en {self.sqlite_path}"
        if self.storage == "mongo":
            return f"MongoDB, base de datos {self.mongo_database!r}"
        return "memoria (los datos se pierden al salir)"
