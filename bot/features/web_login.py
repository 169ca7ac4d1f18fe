"""/masuk: a one-time link that signs the staff member in to the staff web page, no password.

The link carries a random token; only its SHA-256 hash is stored, bound to the staff member as
the chat knows them (channel and user id). It opens one session within LINK_VALID; the web page
(handlers/staff_web) spends it. Links are limited per staff member and counted in the database,
so the limit holds across restarts and follows the core's clock.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from bot.core import Context, Router, esc
from bot.i18n import N_
from bot.storage.web import StaffId

LINK_VALID = timedelta(minutes=10)
SESSION_IDLE = timedelta(hours=8)  # a web session ends after this long without a request
LINKS_PER_WINDOW = 5  # links one staff member may get within LINK_VALID
LOGIN_PATH = "/staf/masuk/"


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    """A fresh random token for a link or a session (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def register(router: Router) -> None:
    """Wire /masuk (English /login), for staff only."""
    router.command(("masuk", "login"), on_login, N_("A link to sign in to the staff web page"),
                   staff=True)


async def on_login(ctx: Context, _args: str) -> None:
    """Reply with a one-time login link, unless the web page is not set up or too many were sent."""
    _ = ctx.tr.gettext
    public_url = ctx.config.web.public_url
    if not public_url:
        ctx.reply(_("The staff web page is not set up yet: its address ([web] public_url in "
                    "config.toml) is empty. Please ask the IT person to set it."))
        return
    staff = StaffId(ctx.inbound.channel, ctx.inbound.user_id, ctx.inbound.address)
    recent = await ctx.db.web.links_since(staff, ctx.now - LINK_VALID)
    if recent >= LINKS_PER_WINDOW:
        ctx.reply(ctx.tr.ngettext(
            "You were sent {count} sign-in link in the last {minutes} minutes. Please use the "
            "newest one, or wait a few minutes and send /login again.",
            "You were sent {count} sign-in links in the last {minutes} minutes. Please use the "
            "newest one, or wait a few minutes and send /login again.", recent).format(
                count=ctx.tr.number(recent),
                minutes=ctx.tr.number(LINK_VALID.total_seconds() // 60)))
        return
    await ctx.db.web.purge(ctx.now, SESSION_IDLE)  # spent links and old sessions: gone
    token = new_token()
    # The pages come in the language the staff member reads the chat in (owners table or app).
    await ctx.db.web.add_link(token_hash(token), staff, ctx.tr.language, ctx.now,
                              ctx.now + LINK_VALID)
    await ctx.audit("web.link")
    link = f"{public_url}{LOGIN_PATH}{token}"
    ctx.reply("\n".join([
        _("<b>Sign in to the staff web page</b>"),
        f'<a href="{esc(link)}">{esc(link)}</a>',
        "",
        _("The link works once, for {minutes} minutes, and only for you. Do not forward it: "
          "whoever opens it acts in your name.").format(
              minutes=ctx.tr.number(LINK_VALID.total_seconds() // 60)),
    ]))
