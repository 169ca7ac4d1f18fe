"""What the Telegram edge tells Telegram about the bot, and how updates reach it by webhook:
who the token is (getMe), the command menus per language and the staff's own lists, and the
webhook endpoint on the one web server.

Part of the Telegram edge (with `handlers/telegram.py` and `handlers/telegram_mapping.py`, the
only modules that import `telegram`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import BadRequest

from bot.config import Config
from bot.core import Core
from handlers.telegram_mapping import CHANNEL, mapped_errors
from handlers.web import read_body

log = logging.getLogger(__name__)


async def identify(config: Config) -> str:
    """Ask Telegram who the token belongs to (getMe), with errors mapped for the core."""
    api = config.telegram.api_url
    bot = Bot(config.telegram.token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot")
    with mapped_errors():
        async with bot:  # initialising calls getMe
            return f"@{bot.username} (id {bot.id})"


def _commands(pairs: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, description[:256]) for name, description in pairs]


async def publish_commands(bot: Bot, core: Core, config: Config) -> None:
    """Set the command menu per language, and the staff's own list in their chats."""
    for language in core.catalogs.languages:
        await bot.set_my_commands(_commands(core.commands(language)), language_code=language)
    await bot.set_my_commands(_commands(core.commands(config.default_language)),
                              scope=BotCommandScopeDefault())
    staff_ids = sorted(int(identity.partition(":")[2]) for identity in config.staff
                       if identity.startswith(f"{CHANNEL}:"))
    for staff_id in staff_ids:
        # Per language too: Telegram prefers a chat's list in the user's language.
        for language in (None, *core.catalogs.languages):
            staff_commands = core.commands(language or config.default_language, staff=True)
            try:
                await bot.set_my_commands(_commands(staff_commands),
                                          scope=BotCommandScopeChat(staff_id),
                                          language_code=language)
            except BadRequest:  # the staff member has not opened a chat with the bot yet
                log.info("staff command list not set for one staff member: no chat yet")
                break


async def receive_update(request: Request, secret: str, bot: Bot,
                         queue: asyncio.Queue[object]) -> Response:
    """A POST of an update by Telegram: only with the secret header; queued for the
    Application as polling would queue it."""
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
    if not hmac.compare_digest(given, secret.encode()):
        return PlainTextResponse("Forbidden", status_code=403)
    body = await read_body(request)
    if body is None:
        return PlainTextResponse("Payload Too Large", status_code=413)
    try:
        update = Update.de_json(json.loads(body), bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        update = None
    if update is None:
        log.warning("webhook: a body that is not an update was refused")
        return PlainTextResponse("Bad Request", status_code=400)
    await queue.put(update)
    return Response(status_code=200)
