"""The messengers' tables of `config.toml`: `[telegram]`, `[whatsapp]` (with its templates
file) and `[broadcast]` (each channel's sending rate), with their environment overrides.

`bot/config.py`'s `load_config` calls these in the order of the file's tables; the values are
`bot/config_values.py`'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.config_tables import Section, url
from bot.config_values import (
    DEFAULT_TEMPLATES,
    GRAPH_API_URL,
    GRAPH_API_VERSION,
    PROJECT_DIR,
    TELEGRAM_API_URL,
    BroadcastConfig,
    ChannelRate,
    ConfigError,
    TelegramConfig,
    WhatsAppConfig,
    default_channel_rates,
)
from bot.templates import TemplateError, Templates, load_templates


def read_telegram(source: str, tg_raw: Any, env: Mapping[str, str]) -> TelegramConfig:
    """`[telegram]`, with `BOT_TOKEN`, `WEBHOOK_SECRET` and `TELEGRAM_API_BASE_URL` from the
    environment."""
    if isinstance(tg_raw, Mapping) and ({"webhook_listen", "webhook_port"} & set(tg_raw)):
        raise ConfigError(f"{source}: [telegram] webhook_listen and webhook_port have moved to "
                          "[web] listen and port (one web server carries every webhook).")
    tg = Section(source, "telegram", tg_raw,
                  {"api_url", "mode", "webhook_url", "poll_interval_ms"})
    api_url = url(tg, "api_url", TELEGRAM_API_URL)
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
    return telegram


def read_whatsapp(source: str, raw: Any, env: Mapping[str, str],
                  base_dir: Path = PROJECT_DIR) -> WhatsAppConfig:
    """`[whatsapp]`, with the token, the app secret, the verify token, the phone number id and
    `WHATSAPP_API_BASE_URL` from the environment; its templates file read and checked."""
    sec = Section(source, "whatsapp", raw,
                  {"phone_number_id", "api_url", "api_version", "webhook_path",
                   "business_number", "daily_limit", "daily_reserve", "templates"})
    api_url = url(sec, "api_url", GRAPH_API_URL)
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
        daily_limit=sec.int("daily_limit", 250, 0, 10_000_000),
        daily_reserve=sec.int("daily_reserve", 25, 0, 10_000_000),
        templates=_templates(sec, base_dir),
        token=env.get("WHATSAPP_TOKEN", "").strip(),
        app_secret=env.get("WHATSAPP_APP_SECRET", "").strip(),
        verify_token=env.get("WHATSAPP_VERIFY_TOKEN", "").strip(),
    )
    if config.daily_limit and config.daily_reserve >= config.daily_limit:
        raise sec.fail("daily_reserve", "smaller than daily_limit (the part of the daily "
                                        "limit kept for reminders and seat notices)")
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


def _templates(section: Section, base_dir: Path) -> Templates:
    """`[whatsapp] templates`: the templates file (the shipped templates.toml by default; an
    empty value for none)."""
    value = section.str("templates", "\0")
    if value == "\0":
        if not DEFAULT_TEMPLATES.exists():
            return Templates()
        path = DEFAULT_TEMPLATES
    elif not value.strip():
        return Templates()
    else:
        path = Path(value)
        path = path if path.is_absolute() else base_dir / path
    try:
        return load_templates(path)
    except TemplateError as exc:
        raise ConfigError(str(exc)) from None


def read_broadcast(source: str, raw: Any) -> BroadcastConfig:
    """`[broadcast]`, with `[broadcast.telegram]` and `[broadcast.whatsapp]` for each channel's
    rate (a bare `rate` and `per_chat_interval` are Telegram's, as in older configs)."""
    bc = Section(source, "broadcast", raw, {"rate", "per_chat_interval", "max_attempts",
                                            "progress_every_s", "telegram", "whatsapp"})
    rates = {}
    for channel, default in {"telegram": ChannelRate(25.0, 1.0),
                             **default_channel_rates()}.items():
        sub = Section(source, f"broadcast.{channel}", bc.data.get(channel),
                      {"rate", "per_chat_interval"})
        if channel == "telegram" and sub.data and ({"rate", "per_chat_interval"} & set(bc.data)):
            raise ConfigError(f"{source}: set Telegram's rate in [broadcast.telegram] only "
                              "(not also in [broadcast]).")
        top = bc if channel == "telegram" else sub
        rates[channel] = ChannelRate(
            sub.number("rate", top.number("rate", default.rate, 0.1, 10000), 0.1, 10000),
            sub.number("per_chat_interval", top.number(
                "per_chat_interval", default.per_chat_interval, 0, 60), 0, 60))
    telegram = rates.pop("telegram")
    return BroadcastConfig(
        rate=telegram.rate, per_chat_interval=telegram.per_chat_interval,
        max_attempts=bc.int("max_attempts", 5, 1, 20),
        progress_every_s=bc.number("progress_every_s", 3.0, 0.5, 600), channels=rates)
