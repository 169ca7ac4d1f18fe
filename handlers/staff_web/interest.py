"""The interest lists page: each year's list with its members and how the invitations went;
open this year's or next year's, close one, invite to an open one after seeing how many.

Thin views over bot/actions/interest.py, the actions of the chat's /daftarminat.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.actions import interest
from bot.i18n import N_, NP_
from handlers.staff_web.auth import Visit, staff_only
from handlers.staff_web.render import Notices, after, staff_page

NOTICES: Notices = {
    "opened": N_("The list is open: owners can join it from the menu."),
    "closed": N_("The list is closed: owners on it stay on it; nobody new can join."),
    "invited": NP_("{count} invitation is on its way.", "{count} invitations are on their way."),
    "not_open": N_("This list is not open, so nobody was invited."),
}


def _year(request: Request) -> int | None:
    year = request.path_params["year"]
    return year if 2000 <= year <= 2100 else None


@staff_only
async def on_lists(request: Request, visit: Visit) -> Response:
    """GET /minat: the lists, their members and invitations, and what can be done."""
    core = visit.core
    lists = await core.db.interest.lists()
    this_year = core.clock().astimezone(core.config.time_zone).year
    known = {entry.year: entry for entry in lists}
    rows = [(entry, await interest.invitations(core, entry.year)) for entry in lists]
    openable = [year for year in (this_year, this_year + 1)
                if year not in known or not known[year].is_open]
    return staff_page(request, visit, "interest.html", notices=NOTICES, rows=rows,
                      openable=openable)


@staff_only
async def on_open(request: Request, visit: Visit) -> Response:
    """POST /minat/<year>/buka: open (or open again) a year's list."""
    year = _year(request)
    if year is not None:
        await interest.open_list(visit.core, visit.staff, visit.core.clock(), year)
    return after(request, "/minat", "opened" if year is not None else "")


@staff_only
async def on_close(request: Request, visit: Visit) -> Response:
    """POST /minat/<year>/tutup: close a year's list."""
    year = _year(request)
    if year is not None:
        await interest.close_list(visit.core, visit.staff, visit.core.clock(), year)
    return after(request, "/minat", "closed" if year is not None else "")


@staff_only
async def on_invite_page(request: Request, visit: Visit) -> Response:
    """GET /minat/<year>/undang: how many would be invited, with the button to do it."""
    year = _year(request)
    found = await visit.core.db.interest.get(year) if year is not None else None
    if found is None or not found.is_open:
        return after(request, "/minat", "not_open")
    return staff_page(request, visit, "interest_invite.html", year=year,
                      count=await interest.invitable(visit.core, year))


@staff_only
async def on_invite(request: Request, visit: Visit) -> Response:
    """POST /minat/<year>/undang: invite last year's interested and the not yet eligible."""
    year = _year(request)
    if year is None:
        return after(request, "/minat")
    invited = await interest.invite(visit.core, visit.staff, visit.core.clock(), year)
    return after(request, "/minat", "invited" if invited.outcome == "queued" else "not_open",
                 invited.count)
