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
from handlers.staff_web import announcements, auth, interest, pages, seats, sessions
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
        Route("/sesi", sessions.on_sessions, methods=["GET"]),
        Route("/sesi", sessions.on_create, methods=["POST"]),
        Route("/sesi/{session_id:int}", sessions.on_session, methods=["GET"]),
        Route("/sesi/{session_id:int}/ubah", sessions.on_edit, methods=["POST"]),
        Route("/sesi/{session_id:int}/pindah", sessions.on_move, methods=["POST"]),
        Route("/sesi/{session_id:int}/tutup", sessions.on_close, methods=["POST"]),
        Route("/sesi/{session_id:int}/buka", sessions.on_reopen, methods=["POST"]),
        Route("/sesi/{session_id:int}/batal", sessions.on_cancel_page, methods=["GET"]),
        Route("/sesi/{session_id:int}/batal", sessions.on_cancel, methods=["POST"]),
        Route("/sesi/{session_id:int}/kursi", seats.on_give_seat, methods=["POST"]),
        Route("/sesi/{session_id:int}/kursi/{owner_id:int}", seats.on_whose_seat,
              methods=["GET"]),
        Route("/sesi/{session_id:int}/terbaik", seats.on_best_preview, methods=["GET"]),
        Route("/sesi/{session_id:int}/terbaik", seats.on_best, methods=["POST"]),
        Route("/sesi/{session_id:int}/hadir", seats.on_checklist, methods=["GET"]),
        Route("/sesi/{session_id:int}/hadir", seats.on_mark, methods=["POST"]),
        Route("/pengumuman", announcements.on_list, methods=["GET"]),
        Route("/pengumuman/baru", announcements.on_new, methods=["GET", "POST"]),
        Route("/pengumuman/pratinjau", announcements.on_preview, methods=["POST"]),
        Route("/pengumuman/kirim", announcements.on_send, methods=["POST"]),
        Route("/pengumuman/{broadcast_id:int}", announcements.on_announcement,
              methods=["GET"]),
        Route("/pengumuman/{broadcast_id:int}/batal", announcements.on_cancel,
              methods=["POST"]),
        Route("/pengumuman/{broadcast_id:int}/henti", announcements.on_stop, methods=["POST"]),
        Route("/media/{media_id:int}", announcements.on_media, methods=["GET"]),
        Route("/minat", interest.on_lists, methods=["GET"]),
        Route("/minat/{year:int}/buka", interest.on_open, methods=["POST"]),
        Route("/minat/{year:int}/tutup", interest.on_close, methods=["POST"]),
        Route("/minat/{year:int}/undang", interest.on_invite_page, methods=["GET"]),
        Route("/minat/{year:int}/undang", interest.on_invite, methods=["POST"]),
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
