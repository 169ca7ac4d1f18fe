"""Signing in with a /masuk link, the session cookie, CSRF tokens and the security headers.

A link (GET) shows a sign-in button and spends nothing, because messengers open links to draw
their previews; pressing the button (POST) spends the link and starts a session. The session
cookie is HttpOnly, SameSite=Strict, limited to the site's path, and Secure when the request
came over https. A session ends after IDLE without a request, on logout, or as soon as its
staff member is no longer in `[bot] staff`. Every POST carries the session's CSRF token.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.core import Core
from bot.features.web_login import SESSION_IDLE, new_token, token_hash
from bot.i18n import Translator
from bot.media import DOCUMENT_LIMIT
from bot.storage.web import StaffId, WebSession
from handlers.staff_web.render import base_path, link, number, page

log = logging.getLogger(__name__)

COOKIE = "staf_sesi"
IDLE = SESSION_IDLE
TOUCH_EVERY = timedelta(minutes=1)  # how exactly the idle time is kept (one write a minute)
MAX_BODY = DOCUMENT_LIMIT + 2**20  # the largest upload, and the form around it
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware: the security headers on every response; pages are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = "/static/" in scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in SECURITY_HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


@dataclass(frozen=True)
class Visit:
    """A request of a signed-in staff member."""

    core: Core
    session: WebSession
    token_hash: str
    tr: Translator

    @property
    def staff(self) -> StaffId:
        """Who is signed in."""
        return self.session.staff

    async def audit(self, action: str, audience: int | None = None, **detail: Any) -> None:
        """Record an action in the chat's audit log, under the staff member's identity."""
        await self.core.db.staff.audit(self.staff.channel, self.staff.user_id, action, detail,
                                       audience, self.core.clock())


View = Callable[[Request, Visit], Awaitable[Response]]


def still_staff(core: Core, staff: StaffId) -> bool:
    """Whether `staff` is in `[bot] staff` now (the web page's only question to the core)."""
    return core.is_staff_identity(staff.identity)


def core_of(request: Request) -> Core:
    """The bot's core, as the site was built with it."""
    return request.app.state.core


def anonymous_tr(request: Request) -> Translator:
    """The language of pages for someone not signed in: the bot's default."""
    core = core_of(request)
    return core.catalogs.get(core.config.default_language)


def secure(request: Request) -> bool:
    """Whether the browser reached us over https (directly, or through a trusted proxy)."""
    if core_of(request).config.web.trust_proxy:
        forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
        if forwarded:
            return forwarded.lower() == "https"
    return request.url.scheme == "https"


def denied(request: Request, tr: Translator | None = None) -> Response:
    """The one 403 page: a bad link, a forged form, someone no longer staff all look alike."""
    return page(request, "denied.html", tr or anonymous_tr(request), status=403)


async def visit_of(request: Request) -> Visit | Response:
    """The signed-in staff member of the request, or the response for someone who is not."""
    core = core_of(request)
    token = request.cookies.get(COOKIE, "")
    hashed = token_hash(token) if token else ""
    session = await core.db.web.session(hashed) if token else None
    now = core.clock()
    if session is None or now - session.last_seen_at >= IDLE:
        if session is not None:
            await core.db.web.end_session(hashed, now)
        if request.method != "GET":
            return denied(request)
        response: Response = RedirectResponse(link(request, "/masuk"), status_code=303)
        if token:
            response.delete_cookie(COOKIE, path=base_path(request) or "/")
        return response
    tr = core.catalogs.get(session.language)
    if not still_staff(core, session.staff):
        await core.db.web.end_session(hashed, now)
        log.info("web session of a former staff member ended")
        return denied(request, tr)
    if now - session.last_seen_at >= TOUCH_EVERY:
        await core.db.web.touch(hashed, now)
    return Visit(core, session, hashed, tr)


def staff_only(view: View) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a view: signed-in staff only, and every POST with the session's CSRF token."""

    async def endpoint(request: Request) -> Response:
        visit = await visit_of(request)
        if isinstance(visit, Response):
            return visit
        if request.method == "POST":
            if number(request.headers.get("content-length"), 0) > MAX_BODY:
                return page(request, "too_big.html", visit.tr, status=413)
            form = await request.form()
            sent = str(form.get("csrf", ""))
            if not hmac.compare_digest(sent.encode(), visit.session.csrf.encode()):
                log.info("web form without a valid CSRF token refused")
                return denied(request, visit.tr)
        return await view(request, visit)

    endpoint.__name__ = view.__name__
    endpoint.__doc__ = view.__doc__
    return endpoint


async def on_login_page(request: Request) -> Response:
    """GET /masuk: how to sign in (send /masuk to the bot); signed-in staff go to the overview."""
    token = request.cookies.get(COOKIE, "")
    if token and await core_of(request).db.web.session(token_hash(token)) is not None:
        return RedirectResponse(link(request, "/"), status_code=303)
    return page(request, "login.html", anonymous_tr(request),
                signed_out=request.query_params.get("keluar") == "1")


async def on_link(request: Request) -> Response:
    """GET /masuk/<token>: a sign-in button while the link is good, else the 403 page."""
    core = core_of(request)
    staff = await core.db.web.link(token_hash(request.path_params["token"]), core.clock())
    if staff is None or not still_staff(core, staff):
        return denied(request)
    return page(request, "confirm.html", anonymous_tr(request))


async def on_use_link(request: Request) -> Response:
    """POST /masuk/<token>: spend the link, start a session, go to the overview."""
    core = core_of(request)
    now = core.clock()
    spent = await core.db.web.use_link(token_hash(request.path_params["token"]), now)
    if spent is None or not still_staff(core, spent[0]):
        return denied(request)
    staff, language = spent
    token = new_token()
    await core.db.web.start_session(token_hash(token), staff, new_token(), language, now)
    await core.db.staff.audit(staff.channel, staff.user_id, "web.login", {}, None, now)
    response = RedirectResponse(link(request, "/"), status_code=303)
    response.set_cookie(COOKIE, token, max_age=int(IDLE.total_seconds()),
                        path=base_path(request) or "/", secure=secure(request), httponly=True,
                        samesite="strict")
    return response


@staff_only
async def on_logout(request: Request, visit: Visit) -> Response:
    """POST /keluar: end the session."""
    await visit.core.db.web.end_session(visit.token_hash, visit.core.clock())
    await visit.audit("web.logout")
    response = RedirectResponse(link(request, "/masuk", {"keluar": "1"}), status_code=303)
    response.delete_cookie(COOKIE, path=base_path(request) or "/")
    return response


@staff_only
async def on_language(request: Request, visit: Visit) -> Response:
    """POST /bahasa: show the pages in another language; back to where the form was."""
    form = await request.form()
    language = str(form.get("language", ""))
    if language in core_of(request).catalogs.languages:
        await visit.core.db.web.set_language(visit.token_hash, language)
    back = str(form.get("next", ""))
    base = base_path(request)
    if not back.startswith(base + "/") or back.startswith("//") or "\\" in back:
        back = link(request, "/")
    return RedirectResponse(back, status_code=303)
