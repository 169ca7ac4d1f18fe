"""What the configuration is: one frozen dataclass per table of `config.toml`, and `Config`
holding them all. Reading the file and the environment into these is `bot/config.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.templates import Templates

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_DIR / "config.toml"
DEFAULT_TEMPLATES = PROJECT_DIR / "templates.toml"
TELEGRAM_API_URL = "https://api.telegram.org"
GRAPH_API_URL = "https://graph.facebook.com"
GRAPH_API_VERSION = "26.0"  # pywa 4.5's default


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message is one sentence naming the key."""


@dataclass(frozen=True)
class TelegramConfig:
    """How the bot reaches Telegram."""

    api_url: str = TELEGRAM_API_URL
    mode: str = "polling"
    webhook_url: str = ""
    # Pause between one getUpdates answer and the next request. A lone update is still handed
    # over at once, but under load updates come in batches instead of a round trip each: at 0
    # the throughput benchmark made one getUpdates call per update, a fifth of the bot's time.
    poll_interval_ms: int = 100
    token: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class WebConfig:
    """The one web server (webhooks of Telegram and WhatsApp, /healthz) and the staff web page
    (handlers/staff_web) it serves under /staf."""

    listen: str = "127.0.0.1"
    port: int = 8080  # 0: any free port (tests)
    # The address staff open, as the reverse proxy publishes it ("https://bot.example.go.id");
    # /masuk links start with it. Empty: /masuk says the web page is not set up.
    public_url: str = ""
    # Believe the reverse proxy's X-Forwarded-Proto (https), so session cookies are Secure.
    trust_proxy: bool = False
    # Staff names for the audit log, by staff identity ("telegram:123456789" = "Bu Sari").
    staff_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WhatsAppConfig:
    """How the bot reaches WhatsApp (Meta's Cloud API); on when the token is set."""

    phone_number_id: str = ""
    api_url: str = GRAPH_API_URL  # the Graph API root; /v<version>/... is appended
    api_version: str = GRAPH_API_VERSION
    webhook_path: str = "/whatsapp"
    # The number owners write to, for wa.me poster links; empty: asked from the Graph API.
    business_number: str = ""
    # Unique owners a new business may reach outside the 24-hour window per 24 hours (Meta's
    # messaging limit: 250, then 2,000, 10,000, 100,000); 0: unlimited.
    daily_limit: int = 250
    # Of the daily limit, kept for reminders and seat notices: announcements and invitations
    # stop this much short of it, so a big announcement cannot hold back tomorrow's reminder.
    daily_reserve: int = 25
    templates: Templates = field(default_factory=Templates)  # approved ones (templates.toml)
    token: str = field(default="", repr=False)
    app_secret: str = field(default="", repr=False)
    verify_token: str = field(default="", repr=False)

    @property
    def enabled(self) -> bool:
        """True when the WhatsApp channel is configured (WHATSAPP_TOKEN is set)."""
        return bool(self.token)


@dataclass(frozen=True)
class QuestionnaireConfig:
    """Thresholds of the eligibility questionnaire and the privacy notice version."""

    notice_version: str = "2026-11"
    min_monthly_pieces: float = 100
    min_monthly_kg: float = 100
    min_monthly_liters: float = 100
    resume_after_minutes: int = 60


@dataclass(frozen=True)
class SessionSeed:
    """A training session declared in config.toml, created once at start-up."""

    key: str
    title: str
    starts_at: str
    place: str
    capacity: int


@dataclass(frozen=True)
class RemindersConfig:
    """When reminders go out, as seconds before the session starts, largest first."""

    offsets: tuple[int, ...] = (7 * 86400, 86400, 2 * 3600)
    labels: tuple[str, ...] = ("7d", "1d", "2h")


@dataclass(frozen=True)
class ChannelRate:
    """How fast the sender may write on one channel."""

    rate: float  # messages per second over all chats
    per_chat_interval: float  # seconds between two messages to the same chat


def default_channel_rates() -> Mapping[str, ChannelRate]:
    """The channels with limits of their own, beside Telegram's `rate`/`per_chat_interval`."""
    # WhatsApp: Meta allows about 80 messages/s per number, and about one per 6 s to one person
    # in bulk (the pair rate).
    return {"whatsapp": ChannelRate(70.0, 6.0)}


@dataclass(frozen=True)
class BroadcastConfig:
    """Limits of the shared sender: `rate` and `per_chat_interval` are Telegram's (and those
    of any channel without its own entry in `channels`)."""

    rate: float = 25.0
    per_chat_interval: float = 1.0
    max_attempts: int = 5
    progress_every_s: float = 3.0
    channels: Mapping[str, ChannelRate] = field(default_factory=default_channel_rates)

    def limits(self, channel: str) -> ChannelRate:
        """The rate and per-chat interval of one channel."""
        return self.channels.get(channel) or ChannelRate(self.rate, self.per_chat_interval)


@dataclass(frozen=True)
class LoggingConfig:
    """Log level and format."""

    level: str = "INFO"
    json: bool = False


@dataclass(frozen=True)
class OfficeConfig:
    """Who owners turn to: shown wherever they are told to contact the office, in a result that
    is not yet eligible, and in the help. Empty fields are left out."""

    name: str = "Dindagkop-UKM Kota Pekalongan"
    whatsapp: str = ""  # international form without "+", e.g. "6281234567890": a wa.me link
    phone: str = ""  # as people dial it, e.g. "(0285) 421 234"
    address: str = ""
    hours: str = ""  # as the office writes it, e.g. "Senin-Jumat 08.00-15.00 WIB"
    web: str = ""  # https://…


@dataclass(frozen=True)
class BackupConfig:
    """Daily automatic backups."""

    directory: Path | None = None
    keep: int = 14
    hour: int = 2


@dataclass(frozen=True)
class Config:
    """The whole configuration of one bot."""

    path: Path
    default_language: str = "id"
    time_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))
    # Staff identities, "<channel>:<id>": "telegram:123456789", "whatsapp:6281234567890".
    staff: frozenset[str] = frozenset()
    database: Path = PROJECT_DIR / "data" / "umkm.sqlite3"
    telegram: TelegramConfig = TelegramConfig()
    web: WebConfig = WebConfig()
    whatsapp: WhatsAppConfig = WhatsAppConfig()
    questionnaire: QuestionnaireConfig = QuestionnaireConfig()
    reminders: RemindersConfig = RemindersConfig()
    broadcast: BroadcastConfig = BroadcastConfig()
    logging: LoggingConfig = LoggingConfig()
    backup: BackupConfig = BackupConfig()
    office: OfficeConfig = OfficeConfig()
    sessions: tuple[SessionSeed, ...] = ()


def staff_identity(channel: str, user_id: str) -> str:
    """How staff are named in `[bot] staff`: "telegram:123", "whatsapp:6281234567890"."""
    return f"{channel}:{user_id}"
