"""The `umkm-bot` command: run, chat, check, backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Config, ConfigError, load_config
from bot.core import Core
from bot.features import (
    attendance,
    backups,
    broadcast,
    consent,
    interest,
    language,
    links,
    menu,
    pause,
    privacy,
    reminders,
    report,
    seats,
    session_staff,
    signup,
    staff,
    subscription,
    survey,
    web_login,
)
from bot.i18n import CatalogError, Catalogs
from bot.logs import setup_logging
from bot.questionnaire import QuestionnaireError
from bot.storage import Database, StorageError

# Every feature of the bot, in the order their menu entries appear.
FEATURES = (consent, survey, pause, signup, interest, privacy, subscription, language, staff,
            session_staff, seats, attendance, broadcast, report, links, web_login, reminders,
            menu, backups)


async def open_core(config: Config) -> Core:
    """Open the database, load the catalogs and the questionnaire, and build the core."""
    catalogs = Catalogs(config.time_zone)
    db = await Database.open(config.database)
    try:
        return Core(config, db, catalogs, FEATURES)
    except BaseException:
        await db.close()
        raise


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def chat(config: Config, *, announce: bool) -> None:
    """The local terminal chat on the same engine and database."""
    from handlers.terminal import TerminalChat

    core = await open_core(config)
    tr = core.catalogs.get(config.default_language)
    if announce:
        print(tr.gettext("No BOT_TOKEN is set, so this is the local terminal chat (same engine "
                         "and database as Telegram)."), flush=True)
    print(tr.gettext("Type /start to begin, a number to press a button, Ctrl-D to quit."),
          flush=True)
    stop = asyncio.Event()
    _stop_on_signals(stop)
    terminal = TerminalChat(core, sys.stdin, sys.stdout, echo=not sys.stdin.isatty())
    try:
        await core.start([terminal])
        await terminal.run(stop)
    finally:
        await core.close()


async def run_telegram(config: Config) -> None:
    """Long-poll Telegram until SIGINT or SIGTERM, then stop cleanly."""
    from handlers.telegram import TelegramChannel

    core = await open_core(config)
    channel = TelegramChannel(config, core)
    stop = asyncio.Event()
    _stop_on_signals(stop)
    try:
        await channel.start()
        await core.start([channel])
        print(core.catalogs.get(config.default_language).gettext(
            "The bot is running on Telegram. Stop it with Ctrl-C."), flush=True)
        await stop.wait()
    finally:
        await core.stop()  # the sender first: it still needs the channel's connection
        await channel.stop()
        await core.db.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `umkm-bot` console script."""
    parser = argparse.ArgumentParser(prog="umkm-bot", description=__doc__)
    parser.add_argument("--config", type=Path, default=None, help="path of config.toml")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run on Telegram (or the terminal chat without BOT_TOKEN)")
    sub.add_parser("chat", help="the local terminal chat")
    sub.add_parser("check", help="check the configuration, database, catalogs and token")
    sub.add_parser("backup", help="copy the database consistently, even while the bot runs") \
        .add_argument("path", type=Path, help="a new file, or a folder to put it in")
    sub.add_parser("restore", help="replace the database with a backup (stop the bot first)") \
        .add_argument("path", type=Path, help="the backup file")
    args = parser.parse_args(argv)
    if args.command == "check":
        from bot.maintenance import check
        from handlers.telegram import identify

        return asyncio.run(check(args.config, os.environ, sys.stdout, identify))
    try:
        config = load_config(args.config)
        if args.command == "backup":
            from bot.maintenance import backup_command

            return backup_command(config, args.path, sys.stdout)
        if args.command == "restore":
            from bot.maintenance import restore_command

            return asyncio.run(restore_command(config, args.path, sys.stdout))
        if args.command == "chat" or (args.command == "run" and not config.telegram.token):
            setup_logging(config, quiet=True)
            asyncio.run(chat(config, announce=args.command == "run"))
        else:
            setup_logging(config)
            asyncio.run(run_telegram(config))
    except (ConfigError, StorageError, CatalogError, QuestionnaireError) as exc:
        print(f"umkm-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
