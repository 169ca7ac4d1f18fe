"""Configuration: `config.toml` read into frozen dataclasses, with environment overrides.

Everything that is not secret lives in the file; the token and the webhook secret come only from
the environment. A wrong or missing value raises `ConfigError` with one sentence naming the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import languages

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_DIR / "config.toml"
TELEGRAM_API_URL = "https://api.telegram.org"
GRAPH_API_URL = "https://graph.facebook.com"
GRAPH_API_VERSION = "26.0"  # pywa 4.5's default
_OFFSET = re.compile(r"^\s*(\d{1,4})\s*([mhd])\s*$")
_OFFSET_UNITS = {"m": 60, "h": 3600, "d": 86400}


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
class BroadcastConfig:
    """Limits of the shared sender."""

    rate: float = 25.0
    per_chat_interval: float = 1.0
    max_attempts: int = 5
    progress_every_s: float = 3.0


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


class _Section:
    """Typed reads from one TOML table; every error names the file, table and key."""

    def __init__(self, source: str, name: str, data: Any, known: set[str]) -> None:
        self.source, self.name = source, name
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: [{name}] must be a table.")
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: [{name}] has an unknown key '{unknown[0]}'.")
        self.data = data

    def fail(self, key: str, expected: str) -> ConfigError:
        """Build the one-sentence error for `key`."""
        return ConfigError(f"{self.source}: [{self.name}] {key} must be {expected}.")

    def str(self, key: str, default: str, choices: tuple[str, ...] = ()) -> str:
        """A string, optionally one of `choices`."""
        value = self.data.get(key, default)
        if not isinstance(value, str) or (choices and value not in choices):
            raise self.fail(key, "one of " + ", ".join(f'"{c}"' for c in choices)
                            if choices else "a string")
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        """A number between `low` and `high`."""
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
            low <= value <= high
        ):
            raise self.fail(key, f"a number from {low:g} to {high:g}")
        return float(value)

    def int(self, key: str, default: int, low: int, high: int) -> int:
        """A whole number between `low` and `high`."""
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"a whole number from {low} to {high}")
        return value

    def bool(self, key: str, default: bool) -> bool:
        """true or false."""
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "true or false")
        return value


def parse_offset(text: str) -> int:
    """Turn a reminder offset such as "7d", "2h" or "30m" into seconds."""
    match = _OFFSET.match(text) if isinstance(text, str) else None
    if not match or int(match.group(1)) == 0:
        raise ValueError(text)
    return int(match.group(1)) * _OFFSET_UNITS[match.group(2)]


def _url(section: _Section, key: str, default: str) -> str:
    value = section.str(key, default).rstrip("/")
    if not re.match(r"^https?://[^\s/]+", value):
        raise section.fail(key, "an http:// or https:// URL")
    return value


def load_config(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read and check the configuration file, then apply the environment overrides."""
    env = os.environ if env is None else env
    path = Path(path) if path is not None else DEFAULT_CONFIG
    source = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"The configuration file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML: {exc}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The configuration file {path} cannot be read: {exc}.") from None

    tables = {"bot", "database", "telegram", "web", "whatsapp", "questionnaire", "reminders",
              "office",
              "broadcast", "logging", "backup", "sessions"}
    unknown = sorted(set(raw) - tables)
    if unknown:
        raise ConfigError(f"{source}: unknown table [{unknown[0]}].")
    base_dir = path.resolve().parent

    bot = _Section(source, "bot", raw.get("bot"), {"default_language", "time_zone", "staff"})
    default_language = bot.str("default_language", languages.codes()[0], languages.codes())
    try:
        time_zone = ZoneInfo(bot.str("time_zone", "Asia/Jakarta"))
    except (ZoneInfoNotFoundError, ValueError):
        raise bot.fail("time_zone", 'a time zone name such as "Asia/Jakarta"') from None
    staff = _staff(bot)

    database = _Section(source, "database", raw.get("database"), {"path"})
    db_path = Path(env.get("UMKM_BOT_DB") or database.str("path", "data/umkm.sqlite3"))
    if not str(db_path).strip():
        raise database.fail("path", "a file path")
    if not db_path.is_absolute():
        db_path = base_dir / db_path

    tg_raw = raw.get("telegram")
    if isinstance(tg_raw, Mapping) and ({"webhook_listen", "webhook_port"} & set(tg_raw)):
        raise ConfigError(f"{source}: [telegram] webhook_listen and webhook_port have moved to "
                          "[web] listen and port (one web server carries every webhook).")
    tg = _Section(source, "telegram", tg_raw,
                  {"api_url", "mode", "webhook_url", "poll_interval_ms"})
    api_url = _url(tg, "api_url", TELEGRAM_API_URL)
    if env.get("TELEGRAM_API_BASE_URL"):
        api_url = env["TELEGRAM_API_BASE_URL"].rstrip("/")
        if not re.match(r"^https?://[^\s/]+", api_url):
            raise ConfigError("TELEGRAM_API_BASE_URL must be an http:// or https:// URL.")
    mode = tg.str("mode", "polling", ("polling", "webhook"))
    webhook_url = tg.str("webhook_url", "")
    if mode == "webhook" and not re.match(r"^https://[^\s/]+", webhook_url):
        raise tg.fail("webhook_url",
                      'the public https:// URL Telegram posts to when mode is "webhook"')
    telegram = TelegramConfig(
        api_url=api_url,
        mode=mode,
        webhook_url=webhook_url,
        poll_interval_ms=tg.int("poll_interval_ms", 100, 0, 5000),
        token=env.get("BOT_TOKEN", "").strip(),
        webhook_secret=env.get("WEBHOOK_SECRET", "").strip(),
    )
    if mode == "webhook" and telegram.token and not re.fullmatch(
        r"[A-Za-z0-9_-]{1,256}", telegram.webhook_secret
    ):
        raise ConfigError(
            "WEBHOOK_SECRET must be set (1-256 characters of A-Z, a-z, 0-9, _ and -) "
            'when [telegram] mode is "webhook".'
        )

    web = _web(source, raw.get("web"), env)
    whatsapp = _whatsapp(source, raw.get("whatsapp"), env)

    qs = _Section(source, "questionnaire", raw.get("questionnaire"),
                  {"notice_version", "min_monthly_pieces", "min_monthly_kg",
                   "min_monthly_liters", "resume_after_minutes"})
    questionnaire = QuestionnaireConfig(
        notice_version=qs.str("notice_version", "2026-11"),
        min_monthly_pieces=qs.number("min_monthly_pieces", 100, 0, 1e9),
        min_monthly_kg=qs.number("min_monthly_kg", 100, 0, 1e9),
        min_monthly_liters=qs.number("min_monthly_liters", 100, 0, 1e9),
        resume_after_minutes=qs.int("resume_after_minutes", 60, 1, 60 * 24 * 365),
    )
    if not questionnaire.notice_version.strip():
        raise qs.fail("notice_version", "a non-empty version label")

    rem = _Section(source, "reminders", raw.get("reminders"), {"offsets"})
    offsets_raw = rem.data.get("offsets", list(RemindersConfig.labels))
    try:
        if not isinstance(offsets_raw, list) or not offsets_raw:
            raise ValueError(offsets_raw)
        pairs = sorted({(parse_offset(o), o.strip()) for o in offsets_raw}, reverse=True)
    except ValueError:
        raise rem.fail("offsets", 'a list of offsets such as ["7d", "1d", "2h", "30m"]') from None
    if len({p[0] for p in pairs}) != len(pairs):
        raise rem.fail("offsets", "a list of different offsets")
    reminders = RemindersConfig(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))

    bc = _Section(source, "broadcast", raw.get("broadcast"),
                  {"rate", "per_chat_interval", "max_attempts", "progress_every_s"})
    broadcast = BroadcastConfig(
        rate=bc.number("rate", 25, 0.1, 10000),
        per_chat_interval=bc.number("per_chat_interval", 1.0, 0, 60),
        max_attempts=bc.int("max_attempts", 5, 1, 20),
        progress_every_s=bc.number("progress_every_s", 3.0, 0.5, 600),
    )

    lg = _Section(source, "logging", raw.get("logging"), {"level", "json"})
    logging_cfg = LoggingConfig(
        level=lg.str("level", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
        json=lg.bool("json", False),
    )

    bk = _Section(source, "backup", raw.get("backup"), {"directory", "keep", "hour"})
    # Not set: beside the database (wherever UMKM_BOT_DB puts it); set empty: no backups.
    backup_dir_raw = bk.str("directory", str(db_path.parent / "backups"))
    backup_dir = Path(backup_dir_raw) if backup_dir_raw.strip() else None
    if backup_dir is not None and not backup_dir.is_absolute():
        backup_dir = base_dir / backup_dir
    backup = BackupConfig(directory=backup_dir, keep=bk.int("keep", 14, 1, 3650),
                          hour=bk.int("hour", 2, 0, 23))

    office = _office(_Section(source, "office", raw.get("office"),
                              {"name", "whatsapp", "phone", "address", "hours", "web"}))
    sessions = _sessions(source, raw.get("sessions", []))
    return Config(
        path=path,
        default_language=default_language,
        time_zone=time_zone,
        staff=staff,
        database=db_path,
        telegram=telegram,
        web=web,
        whatsapp=whatsapp,
        questionnaire=questionnaire,
        reminders=reminders,
        broadcast=broadcast,
        logging=logging_cfg,
        backup=backup,
        office=office,
        sessions=sessions,
    )


def _office(sec: _Section) -> OfficeConfig:
    name = sec.str("name", OfficeConfig.name).strip()
    if not name:
        raise sec.fail("name", "the office's name")
    whatsapp = sec.str("whatsapp", "").strip().replace("+", "").replace(" ", "")
    if whatsapp and not re.fullmatch(r"[1-9]\d{6,14}", whatsapp):
        raise sec.fail("whatsapp", 'a number in international form, such as "6281234567890"')
    web = sec.str("web", "").strip()
    if web and not re.match(r"^https?://[^\s/]+", web):
        raise sec.fail("web", "an http:// or https:// URL")
    return OfficeConfig(name=name, whatsapp=whatsapp, phone=sec.str("phone", "").strip(),
                        address=sec.str("address", "").strip(),
                        hours=sec.str("hours", "").strip(), web=web)


def _web(source: str, raw: Any, env: Mapping[str, str]) -> WebConfig:
    section = _Section(source, "web", raw, {"listen", "port", "public_url", "trust_proxy",
                                            "staff_names"})
    listen = section.str("listen", "127.0.0.1").strip()
    if not listen:
        raise section.fail("listen", 'an address to listen on, such as "127.0.0.1"')
    port = section.int("port", 8080, 0, 65535)
    if env.get("PORT"):
        if not env["PORT"].strip().isdigit() or int(env["PORT"]) > 65535:
            raise ConfigError("PORT must be a port number from 0 to 65535.")
        port = int(env["PORT"])
    public_url = section.str("public_url", "").strip().rstrip("/")
    if public_url and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", public_url):
        raise section.fail("public_url", 'an http:// or https:// address such as '
                                         '"https://bot.example.go.id"')
    names = section.data.get("staff_names", {})
    if not isinstance(names, Mapping) or not all(
        isinstance(k, str) and re.fullmatch(r"[a-z]+:[A-Za-z0-9_.-]{1,64}", k)
        and isinstance(v, str) and v.strip() for k, v in names.items()
    ):
        raise section.fail("staff_names", 'a table of staff identities and names such as '
                                          '{ "telegram:123456789" = "Bu Sari" }')
    return WebConfig(listen=listen, port=port, public_url=public_url,
                     trust_proxy=section.bool("trust_proxy", False),
                     staff_names={k: v.strip() for k, v in names.items()})


def _whatsapp(source: str, raw: Any, env: Mapping[str, str]) -> WhatsAppConfig:
    sec = _Section(source, "whatsapp", raw,
                   {"phone_number_id", "api_url", "api_version", "webhook_path",
                    "business_number"})
    api_url = _url(sec, "api_url", GRAPH_API_URL)
    if env.get("WHATSAPP_API_BASE_URL"):
        api_url = env["WHATSAPP_API_BASE_URL"].strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+", api_url):
            raise ConfigError("WHATSAPP_API_BASE_URL must be an http:// or https:// URL.")
    version = sec.str("api_version", GRAPH_API_VERSION).strip().removeprefix("v")
    if not re.fullmatch(r"\d{1,3}\.\d", version):
        raise sec.fail("api_version", 'a Graph API version such as "26.0"')
    path = sec.str("webhook_path", "/whatsapp").strip()
    if not re.fullmatch(r"/[A-Za-z0-9_/.-]*", path) or path == "/healthz":
        raise sec.fail("webhook_path", 'a path such as "/whatsapp"')
    phone_number_id = (env.get("WHATSAPP_PHONE_NUMBER_ID")
                       or sec.str("phone_number_id", "")).strip()
    number = re.sub(r"[\s+()-]", "", sec.str("business_number", ""))
    if number and not re.fullmatch(r"\d{6,15}", number):
        raise sec.fail("business_number", 'the number in international form, such as '
                                          '"6281234567890"')
    config = WhatsAppConfig(
        phone_number_id=phone_number_id, api_url=api_url, api_version=version,
        webhook_path=path.rstrip("/") or "/", business_number=number,
        token=env.get("WHATSAPP_TOKEN", "").strip(),
        app_secret=env.get("WHATSAPP_APP_SECRET", "").strip(),
        verify_token=env.get("WHATSAPP_VERIFY_TOKEN", "").strip(),
    )
    if config.enabled:
        missing = [name for name, value in (
            ("WHATSAPP_APP_SECRET", config.app_secret),
            ("WHATSAPP_VERIFY_TOKEN", config.verify_token),
            ("WHATSAPP_PHONE_NUMBER_ID (or [whatsapp] phone_number_id)",
             config.phone_number_id)) if not value]
        if missing:
            raise ConfigError(f"WHATSAPP_TOKEN is set, so {' and '.join(missing)} must be set "
                              "too (the webhook is refused without them).")
        if not config.phone_number_id.isdigit():
            raise ConfigError("The WhatsApp phone number id must be the digits shown in Meta's "
                              "app dashboard (WhatsApp > API Setup), not the phone number.")
    return config


def staff_identity(channel: str, user_id: str) -> str:
    """How staff are named in `[bot] staff`: "telegram:123", "whatsapp:6281234567890"."""
    return f"{channel}:{user_id}"


def _staff(bot: _Section) -> frozenset[str]:
    """`[bot] staff`: a bare number is a Telegram id (older configs); "whatsapp:<number>" a
    WhatsApp number in international form without "+"."""
    identities = set()
    raw = bot.data.get("staff", [])
    for entry in raw if isinstance(raw, list) else [None]:
        if isinstance(entry, int) and not isinstance(entry, bool) and entry > 0:
            identities.add(staff_identity("telegram", str(entry)))
        elif isinstance(entry, str) and re.fullmatch(r"telegram:[1-9]\d{0,19}", entry.strip()):
            identities.add(entry.strip())
        elif isinstance(entry, str) and re.fullmatch(r"whatsapp:\+?[1-9]\d{6,14}",
                                                     entry.strip()):
            identities.add(entry.strip().replace("+", ""))
        else:
            raise bot.fail("staff", 'a list of Telegram user ids (numbers) and WhatsApp numbers '
                                    '("whatsapp:6281234567890")')
    return frozenset(identities)


def _sessions(source: str, raw: Any) -> tuple[SessionSeed, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: [[sessions]] must be an array of tables.")
    seeds = []
    for number, item in enumerate(raw, start=1):
        sec = _Section(source, f"sessions #{number}", item,
                       {"key", "title", "starts_at", "place", "capacity"})
        key = sec.str("key", "")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", key):
            raise sec.fail("key", "1-40 characters of A-Z, a-z, 0-9, _ and -")
        title = sec.str("title", "")
        if not title.strip():
            raise sec.fail("title", "a non-empty title")
        starts_at = sec.str("starts_at", "")
        if not re.fullmatch(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", starts_at):
            raise sec.fail("starts_at", 'a WIB date and time such as "2027-10-06 09:00"')
        seeds.append(SessionSeed(key=key, title=title.strip(), starts_at=starts_at,
                                 place=sec.str("place", "").strip(),
                                 capacity=sec.int("capacity", 30, 1, 10000)))
    if len({s.key for s in seeds}) != len(seeds):
        raise ConfigError(f"{source}: two [[sessions]] have the same key.")
    return tuple(seeds)
