"""The `umkm-bot` command: run, chat, check, templates, backup, restore."""

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
    broadcast_list,
    consent,
    interest,
    language,
    links,
    menu,
    optout,
    pause,
    privacy,
    reminders,
    report,
    seat_notices,
    seat_release,
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
from handlers.web import WebServerError

CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}

# Every feature of the bot, in the order their menu entries appear.
FEATURES = (consent, survey, pause, signup, seat_release, seat_notices, interest, privacy,
            subscription, optout, language, staff, session_staff, seats, attendance, broadcast,
            broadcast_list, report, links, web_login, reminders, menu, backups)


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
        print(tr.gettext("Neither BOT_TOKEN nor WHATSAPP_TOKEN is set, so this is the local "
                         "terminal chat (the same engine and database as the messengers)."),
              flush=True)
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


async def run_channels(config: Config) -> None:
    """Run every configured channel (Telegram, WhatsApp) and the web server until SIGINT or
    SIGTERM, then stop cleanly."""
    from handlers.staff_web import MOUNT, staff_app
    from handlers.web import WebServer

    core = await open_core(config)
    web = WebServer(config.web)
    web.mount(MOUNT, staff_app(core))
    channels: list = []
    if config.telegram.token:
        from handlers.telegram import TelegramChannel

        channels.append(TelegramChannel(config, core, web=web))
    if config.whatsapp.enabled:
        from handlers.whatsapp import WhatsAppChannel

        channels.append(WhatsAppChannel(config, core, web))
    stop = asyncio.Event()
    _stop_on_signals(stop)
    started: list = []
    try:
        await web.start()
        for channel in channels:
            await channel.start()
            started.append(channel)
        await core.start(channels)
        web.ready = True
        names = " + ".join(CHANNEL_NAMES[c.name] for c in channels)
        print(core.catalogs.get(config.default_language).gettext(
            "The bot is running on {channels}. Stop it with Ctrl-C.").format(channels=names),
            flush=True)
        await stop.wait()
    finally:
        web.ready = False
        await web.stop()  # no new webhooks; what was accepted is stored already
        await core.stop()  # the sender first: it still needs the channels' connections
        for channel in reversed(started):
            await channel.stop()
        await core.db.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `umkm-bot` console script."""
    parser = argparse.ArgumentParser(prog="umkm-bot", description=__doc__)
    parser.add_argument("--config", type=Path, default=None, help="path of config.toml")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run on Telegram and/or WhatsApp (or the terminal chat with "
                              "neither BOT_TOKEN nor WHATSAPP_TOKEN)")
    sub.add_parser("chat", help="the local terminal chat")
    sub.add_parser("check", help="check the configuration, database, catalogs and token")
    sub.add_parser("templates", help="print the WhatsApp templates in the JSON of Meta's "
                                     "template API, to submit them for approval")
    sub.add_parser("backup", help="copy the database consistently, even while the bot runs") \
        .add_argument("path", type=Path, help="a new file, or a folder to put it in")
    sub.add_parser("restore", help="replace the database with a backup (stop the bot first)") \
        .add_argument("path", type=Path, help="the backup file")
    args = parser.parse_args(argv)
    if args.command == "check":
        from bot.maintenance import check
        from handlers.telegram import identify
        from handlers.whatsapp import identify as identify_whatsapp

        return asyncio.run(check(args.config, os.environ, sys.stdout, identify,
                                 identify_whatsapp=identify_whatsapp))
    try:
        config = load_config(args.config)
        if args.command == "templates":
            from bot.maintenance import templates_command

            return templates_command(config, sys.stdout)
        if args.command == "backup":
            from bot.maintenance import backup_command

            return backup_command(config, args.path, sys.stdout)
        if args.command == "restore":
            from bot.maintenance import restore_command

            return asyncio.run(restore_command(config, args.path, sys.stdout))
        if args.command == "chat" or (args.command == "run" and not config.telegram.token
                                      and not config.whatsapp.enabled):
            setup_logging(config, quiet=True)
            asyncio.run(chat(config, announce=args.command == "run"))
        else:
            setup_logging(config)
            asyncio.run(run_channels(config))
    except (ConfigError, StorageError, CatalogError, QuestionnaireError, WebServerError) as exc:
        print(f"umkm-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped early (`umkm-bot templates | head`): not a failure of ours. Python
        # would flush stdout again at exit and complain, so point it at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
