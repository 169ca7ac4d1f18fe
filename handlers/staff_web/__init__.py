"""The staff web page: a Starlette application the bot's web server mounts under /staf.

`staff_app(core)` builds it; every page is server-rendered (Jinja2), every asset is served by
the app itself, and every response carries the security headers (`auth.SecurityHeaders`).
Staff sign in with a one-time link from /masuk in the chat (bot/features/web_login.py).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.core import Core
from handlers.staff_web import auth, pages
from handlers.staff_web.render import STATIC

MOUNT = "/staf"  # where the bot's web server mounts the app (the /masuk links point here)


def routes() -> list[Route | Mount]:
    """Every route of the staff site, relative to its mount point."""
    return [
        Route("/", pages.on_overview, methods=["GET"]),
        Route("/masuk", auth.on_login_page, methods=["GET"]),
        Route("/masuk/{token}", auth.on_link, methods=["GET"]),
        Route("/masuk/{token}", auth.on_use_link, methods=["POST"]),
        Route("/keluar", auth.on_logout, methods=["POST"]),
        Route("/bahasa", auth.on_language, methods=["POST"]),
        Route("/pendaftar", pages.on_applicants, methods=["GET"]),
        Route("/pendaftar/cari", pages.on_search, methods=["POST"]),
        Route("/pendaftar/{owner_id:int}", pages.on_applicant, methods=["GET"]),
        Route("/unduh", pages.on_downloads, methods=["GET"]),
        Route("/unduh/umkm.{kind:str}", pages.on_download, methods=["GET"]),
        Route("/audit", pages.on_audit, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]


def staff_app(core: Core) -> Starlette:
    """The staff site over `core` (its database, catalogs, configuration and clock)."""
    app = Starlette(routes=routes(), middleware=[Middleware(auth.SecurityHeaders)])
    app.state.core = core
    return app
