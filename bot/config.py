"""Configuration: `config.toml` read into frozen dataclasses (`bot/config_values.py`, whose
names are re-exported here), with environment overrides.

Everything that is not secret lives in the file; the token and the webhook secret come only from
the environment. A wrong or missing value raises `ConfigError` with one sentence naming the key;
the typed reads of one table are `bot/config_tables.py`'s, the messengers' tables ([telegram],
[whatsapp], [broadcast]) `bot/config_channels.py`'s.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import languages
from bot.config_channels import read_broadcast, read_telegram, read_whatsapp
from bot.config_tables import Section, parse_offset
from bot.config_values import (
    DEFAULT_CONFIG,
    DEFAULT_TEMPLATES,
    GRAPH_API_URL,
    GRAPH_API_VERSION,
    PROJECT_DIR,
    TELEGRAM_API_URL,
    BackupConfig,
    BroadcastConfig,
    ChannelRate,
    Config,
    ConfigError,
    LoggingConfig,
    OfficeConfig,
    QuestionnaireConfig,
    RemindersConfig,
    SessionSeed,
    TelegramConfig,
    WebConfig,
    WhatsAppConfig,
    staff_identity,
)

__all__ = [
    "DEFAULT_CONFIG", "DEFAULT_TEMPLATES", "GRAPH_API_URL", "GRAPH_API_VERSION", "PROJECT_DIR",
    "TELEGRAM_API_URL", "BackupConfig", "BroadcastConfig", "ChannelRate", "Config", "ConfigError",
    "LoggingConfig", "OfficeConfig", "QuestionnaireConfig", "RemindersConfig", "SessionSeed",
    "TelegramConfig", "WebConfig", "WhatsAppConfig", "load_config", "parse_offset",
    "staff_identity",
]


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

    bot = Section(source, "bot", raw.get("bot"), {"default_language", "time_zone", "staff"})
    default_language = bot.str("default_language", languages.codes()[0], languages.codes())
    try:
        time_zone = ZoneInfo(bot.str("time_zone", "Asia/Jakarta"))
    except (ZoneInfoNotFoundError, ValueError):
        raise bot.fail("time_zone", 'a time zone name such as "Asia/Jakarta"') from None
    staff = _staff(bot)

    database = Section(source, "database", raw.get("database"), {"path"})
    db_path = Path(env.get("UMKM_BOT_DB") or database.str("path", "data/umkm.sqlite3"))
    if not str(db_path).strip():
        raise database.fail("path", "a file path")
    if not db_path.is_absolute():
        db_path = base_dir / db_path

    telegram = read_telegram(source, raw.get("telegram"), env)

    web = _web(source, raw.get("web"), env)
    whatsapp = read_whatsapp(source, raw.get("whatsapp"), env, base_dir)

    qs = Section(source, "questionnaire", raw.get("questionnaire"),
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

    rem = Section(source, "reminders", raw.get("reminders"), {"offsets"})
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

    broadcast = read_broadcast(source, raw.get("broadcast"))

    lg = Section(source, "logging", raw.get("logging"), {"level", "json"})
    logging_cfg = LoggingConfig(
        level=lg.str("level", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
        json=lg.bool("json", False),
    )

    bk = Section(source, "backup", raw.get("backup"), {"directory", "keep", "hour"})
    # Not set: beside the database (wherever UMKM_BOT_DB puts it); set empty: no backups.
    backup_dir_raw = bk.str("directory", str(db_path.parent / "backups"))
    backup_dir = Path(backup_dir_raw) if backup_dir_raw.strip() else None
    if backup_dir is not None and not backup_dir.is_absolute():
        backup_dir = base_dir / backup_dir
    backup = BackupConfig(directory=backup_dir, keep=bk.int("keep", 14, 1, 3650),
                          hour=bk.int("hour", 2, 0, 23))

    office = _office(Section(source, "office", raw.get("office"),
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


def _office(sec: Section) -> OfficeConfig:
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
    section = Section(source, "web", raw, {"listen", "port", "public_url", "trust_proxy",
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



def _staff(bot: Section) -> frozenset[str]:
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
        sec = Section(source, f"sessions #{number}", item,
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
