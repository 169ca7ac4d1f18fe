"""What the deployer runs besides the bot: `umkm-bot check`, `templates`, `backup PATH` and
`restore PATH`.

`check` goes through everything the bot needs before it can serve, in the order start-up needs
it, prints one line per check, and stops at the first failure with a non-zero exit.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.config import Config, ConfigError, load_config
from bot.delivery import DeliveryError
from bot.i18n import CatalogError, Catalogs
from bot.languages import LANGUAGES
from bot.storage import Database, StorageError
from bot.storage.backup import backup, newest, restore

# Asks the messenger who the bot is (Telegram's getMe); given by the command line, which may
# import the Telegram edge.
Identify = Callable[[Config], Awaitable[str]]


class CheckFailed(Exception):
    """One check failed; the message says what is wrong."""


class Report:
    """Prints one line per check, with the secrets masked."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.secrets: list[str] = []

    def line(self, ok: bool, name: str, detail: str, *, warn: bool = False) -> None:
        """Print the outcome of one check (`warn`: it passed, but something needs doing)."""
        text = f"{'warn' if ok and warn else 'ok  ' if ok else 'FAIL'} {name}: {detail}"
        for secret in self.secrets:
            text = text.replace(secret, "***")
        print(text, file=self.out, flush=True)


async def check(config_path: Path | None, env: Mapping[str, str], out: TextIO,
                identify: Identify, *, identify_whatsapp: Identify | None = None) -> int:
    """Run every check; 0 when all pass, 1 at the first failure."""
    report = Report(out)
    name = "configuration"
    try:
        try:
            config = load_config(config_path, env)
        except ConfigError as exc:
            raise CheckFailed(str(exc)) from None
        wa = config.whatsapp
        report.secrets = [s for s in (config.telegram.token, config.telegram.webhook_secret,
                                      wa.token, wa.app_secret, wa.verify_token) if s]
        report.line(True, name, f"{config.path} (mode {config.telegram.mode}, "
                                f"{len(config.staff)} staff, language {config.default_language})")
        name = "database"
        report.line(True, name, await _database(config))
        name = "catalogs"
        report.line(True, name, _catalogs(config))
        name = "questionnaire"
        report.line(True, name, _questionnaire())
        name = "templates"
        detail, missing = _templates(config)
        report.line(True, name, detail, warn=missing)
        name = "backups"
        report.line(True, name, _backups(config))
        name = "telegram"
        if not config.telegram.token:
            report.line(True, name, "no BOT_TOKEN set: Telegram is off" if wa.enabled else
                        "no BOT_TOKEN set: `umkm-bot run` starts the terminal chat")
        else:
            try:
                who = await identify(config)
            except DeliveryError as exc:
                raise CheckFailed(f"getMe at {config.telegram.api_url} failed: {exc}") from None
            where = config.telegram.webhook_url if config.telegram.mode == "webhook" else \
                "long polling"
            report.line(True, name, f"the token belongs to {who}; updates by {where}")
        if wa.enabled and identify_whatsapp is not None:
            name = "whatsapp"
            try:
                number = await identify_whatsapp(config)
            except DeliveryError as exc:
                raise CheckFailed(f"GET /v{wa.api_version}/{wa.phone_number_id} at {wa.api_url} "
                                  f"failed: {exc}") from None
            report.line(True, name, f"the token sends as {number}; webhook at "
                                    f"{wa.webhook_path} on {config.web.listen}:{config.web.port}")
    except CheckFailed as exc:
        report.line(False, name, str(exc))
        return 1
    return 0


async def _database(config: Config) -> str:
    try:
        db = await Database.open(config.database)
    except StorageError as exc:
        raise CheckFailed(str(exc)) from None
    try:
        try:
            verdict = await db.integrity_check()
        except sqlite3.DatabaseError as exc:
            verdict = str(exc)
        if verdict != "ok":
            raise CheckFailed(f"{config.database} is damaged ({verdict}); restore a backup.")
        schema = await db.schema_version()
    finally:
        await db.close()
    return f"{config.database} opened and migrated (schema {schema}), integrity ok"


def _catalogs(config: Config) -> str:
    try:
        Catalogs(config.time_zone)
    except CatalogError as exc:
        raise CheckFailed(str(exc)) from None
    return f"{', '.join(LANGUAGES)} loaded"


def _questionnaire() -> str:
    from bot.questionnaire import QuestionnaireError

    try:
        from bot.criteria import RULES, check
        from bot.questions import QUESTIONNAIRE

        check(RULES, QUESTIONNAIRE)
    except QuestionnaireError as exc:
        raise CheckFailed(str(exc)) from None
    return (f"version {QUESTIONNAIRE.version}, {len(QUESTIONNAIRE.questions)} questions, valid; "
            f"{len(RULES.criteria)} criteria and {len(RULES.parts)} readiness parts match it")


def _templates(config: Config) -> tuple[str, bool]:
    """The WhatsApp templates configured, and the kinds without one (they wait outside the
    24-hour window); True when some are missing."""
    templates = config.whatsapp.templates
    missing = templates.missing(config.reminders.labels)
    where = templates.source or "no templates file"
    detail = (f"{len(templates.templates)} templates for {len(templates.kinds)} kinds of "
              f"message ({where}); submit them to Meta with `umkm-bot templates`")
    if missing:
        detail += ("; no template for " + ", ".join(missing) + ": on WhatsApp these wait, "
                   "outside the 24-hour window, until one is configured and approved")
    return detail, bool(missing)


def templates_command(config: Config, out: TextIO) -> int:
    """`umkm-bot templates`: every WhatsApp template in every language, as the JSON Meta's
    template API takes (one object per POST to /<WABA id>/message_templates)."""
    from bot.outreach import sample_fields
    from bot.templates import meta_json

    catalogs = Catalogs(config.time_zone)
    samples = {code: sample_fields(catalogs.get(code)) for code in LANGUAGES}
    found = meta_json(config.whatsapp.templates,
                      lambda field, language: samples.get(language, samples[LANGUAGES[0]])[field])
    print(json.dumps(found, ensure_ascii=False, indent=2), file=out)
    return 0


def _backups(config: Config) -> str:
    directory = config.backup.directory
    if directory is None:
        return "automatic backups are off ([backup] directory is empty)"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CheckFailed(f"{directory} cannot be created: {exc}") from None
    if not os.access(directory, os.W_OK):
        raise CheckFailed(f"{directory} is not writable by this user")
    last = newest(directory)
    state = f"newest {last[0].name}" if last else "none made yet"
    return (f"{directory} writable; daily at {config.backup.hour:02d}:00, keeping "
            f"{config.backup.keep}; {state}")


def backup_command(config: Config, target: Path, out: TextIO) -> int:
    """`umkm-bot backup PATH`: a consistent copy of the live database, even while it runs."""
    copy = backup(config.database, target, datetime.now(config.time_zone))
    print(f"backup written: {copy.path} ({copy.size} bytes, schema {copy.schema}, "
          "integrity ok)", file=out)
    return 0


async def restore_command(config: Config, source: Path, out: TextIO) -> int:
    """`umkm-bot restore PATH`: put a backup in place of the database (the bot is stopped)."""
    aside = restore(source, config.database, datetime.now(config.time_zone))
    db = await Database.open(config.database)  # a backup from an older version is migrated
    try:
        verdict = await db.integrity_check()
        schema = await db.schema_version()
    finally:
        await db.close()
    print(f"restored {source} into {config.database} (schema {schema}, integrity {verdict})",
          file=out)
    if aside is not None:
        print(f"the previous database is kept as {aside}", file=out)
    return 0
