"""Who gets a seat, and who came: a waiting owner given a seat (a free one, or whose seat they
take), every seat to the most ready after a preview, and on the day a checklist of who came
that works on a phone.

Thin views over bot/actions/seats.py and bot/actions/attendance.py, as the chat's buttons are.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.actions import attendance, seats
from bot.i18n import N_
from bot.session_rules import can_choose, can_mark
from bot.storage.sessions import Session
from handlers.staff_web.auth import Visit, staff_only
from handlers.staff_web.render import after, number, staff_page
from handlers.staff_web.sessions import NOTICES

ATTENDANCE_NOTICES = {  # a mark shows in the list itself; only a refusal is said
    "not_registered": NOTICES["not_registered"],
    "not_yet": N_("Attendance can be marked from the day before the session."),
}


async def _session(request: Request, visit: Visit) -> Session | None:
    return await visit.core.db.sessions.get(request.path_params["session_id"])


def _missing(request: Request, visit: Visit) -> Response:
    return staff_page(request, visit, "not_found.html", status=404)


@staff_only
async def on_give_seat(request: Request, visit: Visit) -> Response:
    """POST /sesi/<id>/kursi: give a waiting owner a seat (`seated`: whose seat they take);
    with no seat free, staff are asked whose seat it is to be."""
    session_id = request.path_params["session_id"]
    form = await request.form()
    chosen = number(str(form.get("chosen", "")))
    seated = number(str(form.get("seated", "")))
    if chosen is None:
        return after(request, f"/sesi/{session_id}")
    result = await seats.give_seat(visit.core, visit.staff, visit.core.clock(), session_id,
                                   chosen, seated)
    if result.outcome == "full":
        return after(request, f"/sesi/{session_id}/kursi/{chosen}")
    return after(request, f"/sesi/{session_id}", result.outcome, anchor="tunggu")


@staff_only
async def on_whose_seat(request: Request, visit: Visit) -> Response:
    """GET /sesi/<id>/kursi/<owner>: the session is full: whose seat should they take?"""
    session = await _session(request, visit)
    if session is None:
        return _missing(request, visit)
    people = {p.owner_id: p for p in await seats.people(visit.core, session.id)}
    chosen = people.get(request.path_params["owner_id"])
    if chosen is None or chosen.status != "waiting" or not can_choose(
            session.status, session.starts_at, visit.core.clock()):
        return after(request, f"/sesi/{session.id}", "not_waiting")
    seated = sorted((p for p in people.values() if p.status == "registered"),
                    key=lambda p: (p.readiness or 0, p.name.casefold()))
    return staff_page(request, visit, "seat_swap.html", session=session, chosen=chosen,
                      seated=seated)


@staff_only
async def on_best_preview(request: Request, visit: Visit) -> Response:
    """GET /sesi/<id>/terbaik: what seating the most ready would change, to confirm."""
    session = await _session(request, visit)
    if session is None:
        return _missing(request, visit)
    preview = await seats.preview_best(visit.core, visit.core.clock(), session.id)
    if preview is None:
        return after(request, f"/sesi/{session.id}", "inactive")
    people = {p.owner_id: p for p in await seats.people(visit.core, session.id)}
    changed = request.query_params.get("berubah") == "1"
    return staff_page(request, visit, "seat_best.html", session=session, preview=preview,
                      changed=changed, seat=[people[o] for o in preview.seat if o in people],
                      unseat=[people[o] for o in preview.unseat if o in people])


@staff_only
async def on_best(request: Request, visit: Visit) -> Response:
    """POST /sesi/<id>/terbaik: do it, if it still changes exactly what the preview showed."""
    session_id = request.path_params["session_id"]
    form = await request.form()
    result = await seats.give_best(visit.core, visit.staff, visit.core.clock(), session_id,
                                   str(form.get("fingerprint", "")))
    if result.outcome == "closed":
        return after(request, f"/sesi/{session_id}", "inactive")
    if result.outcome == "changed":
        return after(request, f"/sesi/{session_id}/terbaik?berubah=1")
    return after(request, f"/sesi/{session_id}", "best")


@staff_only
async def on_checklist(request: Request, visit: Visit) -> Response:
    """GET /sesi/<id>/hadir: the registrants by name, each with came / did not come."""
    session = await _session(request, visit)
    if session is None:
        return _missing(request, visit)
    seated = await attendance.seated(visit.core, session.id)
    return staff_page(request, visit, "attendance.html", notices=ATTENDANCE_NOTICES,
                      session=session, seated=seated,
                      markable=can_mark(session.status, session.starts_at, visit.core.clock()),
                      came=sum(1 for p in seated if p.present),
                      absent=sum(1 for p in seated if p.present is False))


@staff_only
async def on_mark(request: Request, visit: Visit) -> Response:
    """POST /sesi/<id>/hadir: mark one registrant (`owner`, `present` 1 or 0), or with
    `rest` everyone not marked yet as absent; back to the same place of the list."""
    session_id = request.path_params["session_id"]
    form = await request.form()
    core, now = visit.core, visit.core.clock()
    if form.get("rest") == "1":
        marked = await attendance.mark_rest(core, visit.staff, now, session_id)
        return after(request, f"/sesi/{session_id}/hadir", _refusal(marked))
    owner = number(str(form.get("owner", "")))
    present = str(form.get("present", ""))
    if owner is None or present not in ("0", "1"):
        return after(request, f"/sesi/{session_id}/hadir")
    marked = await attendance.mark(core, visit.staff, now, session_id, owner, present == "1")
    return after(request, f"/sesi/{session_id}/hadir", _refusal(marked), anchor=f"o{owner}")


def _refusal(marked: attendance.Marked) -> str:
    """The notice after marking: none when it was done (the list shows it)."""
    return "" if marked.outcome == "marked" else marked.outcome
