"""The sessions pages: the list with a form for a new one; one session with its details, who
signed up, and what staff can do to it (edit, move, close or reopen sign-up, cancel).

Each form is a thin view over bot/actions/sessions.py (the actions the chat's /sesi calls) and
checks typed values with the same rules (bot/session_rules.py); after a form the browser is
sent back to the page with a notice of what happened.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.actions import seats, sessions
from bot.i18n import N_, NP_
from bot.reminder_policy import plan
from bot.session_rules import ACTIVE, STATUS_NAMES, can_choose, can_mark
from bot.storage.sessions import Session
from bot.validators import Invalid, Outcome, Valid, check
from handlers.staff_web.auth import Visit, staff_only
from handlers.staff_web.render import Notices, after, staff_page

RECENT = timedelta(days=60)  # past sessions still listed, as in the chat's /sesi
NOTICES: Notices = {
    "created": N_("The session is created. Owners see it with /schedule."),
    "saved": N_("Saved."),
    "moved": NP_("Moved. {count} owner will be told.", "Moved. {count} owners will be told."),
    "closed": N_("Sign-up is closed."),
    "reopened": N_("Sign-up is open again."),
    "cancelled": NP_("The session is cancelled. {count} owner will be told.",
                     "The session is cancelled. {count} owners will be told."),
    "inactive": N_("This session can no longer be changed (it is cancelled or done)."),
    "passed": N_("The session was not moved: the new time has passed. Nothing was changed."),
    "seated": N_("Done. The chosen owner has a seat and will be told."),
    "swapped": N_("Done. The chosen owner has the seat; the other went to the top of the "
                  "waiting list. Both will be told."),
    "not_waiting": N_("That owner is no longer on the waiting list. Nothing was changed."),
    "not_registered": N_("That owner no longer holds a seat. Nothing was changed."),
    "best": N_("Done. The seats went to the most ready; everyone concerned will be told."),
}


def _local(visit: Visit, session: Session) -> str:
    """The session's start as a datetime-local field shows it (WIB)."""
    return session.starts_at.astimezone(visit.core.config.time_zone).strftime("%Y-%m-%dT%H:%M")


def _start(visit: Visit, typed: str, now: datetime) -> Outcome:
    """A start typed on the page, checked as the chat checks it; its value a datetime."""
    checked = check("start_time", typed, now.astimezone(visit.core.config.time_zone))
    return Valid(datetime.fromisoformat(checked.value)) if isinstance(checked, Valid) \
        else checked


def _errors(visit: Visit, checks: dict[str, Outcome]) -> dict[str, str]:
    """The reason of each check that failed, in words."""
    tr = visit.tr
    return {field: tr.gettext(outcome.reason).format(**{
        k: tr.number(v) if isinstance(v, int) else v for k, v in outcome.params.items()})
        for field, outcome in checks.items() if isinstance(outcome, Invalid)}


async def _list(request: Request, visit: Visit, *, status: int = 200,
                form: dict[str, str] | None = None,
                errors: dict[str, str] | None = None) -> Response:
    db, now = visit.core.db, visit.core.clock()
    found = await db.sessions.recent(now - RECENT)
    counts = await db.registrations.seats([s.id for s in found])
    return staff_page(request, visit, "sessions.html", status=status, notices=NOTICES,
                      sessions=found, seats=counts, status_names=STATUS_NAMES,
                      form=form or {"capacity": "30"}, errors=errors or {})


@staff_only
async def on_sessions(request: Request, visit: Visit) -> Response:
    """GET /sesi: the sessions to come and those of the last two months, and a form."""
    return await _list(request, visit)


@staff_only
async def on_create(request: Request, visit: Visit) -> Response:
    """POST /sesi: create a session (each field checked as the chat checks it)."""
    form = {k: str(v) for k, v in (await request.form()).items()
            if k in ("title", "starts_at", "place", "capacity")}
    core, now = visit.core, visit.core.clock()
    checks = {"title": check("session_title", form.get("title", "")),
              "starts_at": _start(visit, form.get("starts_at", ""), now),
              "place": check("session_place", form.get("place", "")),
              "capacity": check("seats", form.get("capacity", ""))}
    errors = _errors(visit, checks)
    if errors:
        return await _list(request, visit, status=400, form=form, errors=errors)
    values: dict[str, Any] = {k: getattr(v, "value", None) for k, v in checks.items()}
    created = await sessions.create(core, visit.staff, now, **values)
    if created.session is None:
        return await _list(request, visit, status=400, form=form, errors={
            "starts_at": visit.tr.gettext("That moment has passed. Please type a date in the "
                                          "future.")})
    return after(request, f"/sesi/{created.session.id}", "created")


async def _session_of(request: Request, visit: Visit) -> Session | None:
    return await visit.core.db.sessions.get(request.path_params["session_id"])


async def _detail(request: Request, visit: Visit, session: Session, *, status: int = 200,
                  errors: dict[str, str] | None = None,
                  form: dict[str, str] | None = None) -> Response:
    core, now = visit.core, visit.core.clock()
    people = await seats.people(core, session.id)
    registered = [p for p in people if p.status == "registered"]
    waiting = sorted((p for p in people if p.status == "waiting"),
                     key=lambda p: (-(p.readiness or 0), p.position or 0))
    ahead = plan(session.starts_at, core.config.reminders.offsets, session.start_set_at,
                 now).later if session.status in ACTIVE else []
    return staff_page(
        request, visit, "session.html", status=status, notices=NOTICES, session=session,
        seats=(await core.db.registrations.seats([session.id]))[session.id],
        status_name=visit.tr.gettext(STATUS_NAMES[session.status]),
        active=session.status in ACTIVE, choosable=can_choose(session.status,
                                                              session.starts_at, now),
        markable=can_mark(session.status, session.starts_at, now), registered=registered,
        waiting=waiting, cancelled=[p for p in people if p.status == "cancelled"],
        reminders=[due.at for due in ahead], errors=errors or {},
        form=form or {"title": session.title, "place": session.place,
                      "capacity": str(session.capacity), "starts_at": _local(visit, session)})


@staff_only
async def on_session(request: Request, visit: Visit) -> Response:
    """GET /sesi/<id>: one session, who signed up, and its forms."""
    session = await _session_of(request, visit)
    if session is None:
        return staff_page(request, visit, "not_found.html", status=404)
    return await _detail(request, visit, session)


@staff_only
async def on_edit(request: Request, visit: Visit) -> Response:
    """POST /sesi/<id>/ubah: change the title, place or seats (each changed field once)."""
    session = await _session_of(request, visit)
    if session is None:
        return staff_page(request, visit, "not_found.html", status=404)
    posted = await request.form()
    form = {k: str(posted.get(k, "")) for k in sessions.FIELDS}
    checks = {"title": check("session_title", form["title"]),
              "place": check("session_place", form["place"]),
              "capacity": check("seats", form["capacity"])}
    errors = _errors(visit, checks)
    if errors:
        return await _detail(request, visit, session, status=400, errors=errors,
                             form={**form, "starts_at": _local(visit, session)})
    done = "saved"
    for field, outcome in checks.items():
        value = getattr(outcome, "value", None)
        if value != getattr(session, field):
            result = await sessions.edit(visit.core, visit.staff, visit.core.clock(),
                                         session.id, field, value)
            if not result.done:
                done = result.outcome
                break
    return after(request, f"/sesi/{session.id}", done)


@staff_only
async def on_move(request: Request, visit: Visit) -> Response:
    """POST /sesi/<id>/pindah: first a confirmation (who will be told), then the move."""
    session = await _session_of(request, visit)
    if session is None:
        return staff_page(request, visit, "not_found.html", status=404)
    posted = await request.form()
    core, now = visit.core, visit.core.clock()
    typed = str(posted.get("starts_at", ""))
    checked = _start(visit, typed, now)
    if isinstance(checked, Invalid):
        return await _detail(request, visit, session, status=400,
                             errors=_errors(visit, {"starts_at": checked}),
                             form={"title": session.title, "place": session.place,
                                   "capacity": str(session.capacity), "starts_at": typed})
    if session.status not in ACTIVE:
        return after(request, f"/sesi/{session.id}", "inactive")
    if posted.get("yakin") != "1":
        return staff_page(request, visit, "session_confirm.html", session=session,
                          action="pindah", starts_at=checked.value, typed=typed,
                          members=await sessions.members(core, session.id))
    moved = await sessions.move(core, visit.staff, now, session.id, checked.value)
    return after(request, f"/sesi/{session.id}", "moved" if moved.done else moved.outcome,
                 moved.told)


@staff_only
async def on_close(request: Request, visit: Visit) -> Response:
    """POST /sesi/<id>/tutup: stop sign-ups (the session still takes place)."""
    result = await sessions.close(visit.core, visit.staff, visit.core.clock(),
                                  request.path_params["session_id"])
    return after(request, f"/sesi/{request.path_params['session_id']}",
                 "closed" if result.done else result.outcome)


@staff_only
async def on_reopen(request: Request, visit: Visit) -> Response:
    """POST /sesi/<id>/buka: take sign-ups again."""
    result = await sessions.reopen(visit.core, visit.staff, visit.core.clock(),
                                   request.path_params["session_id"])
    return after(request, f"/sesi/{request.path_params['session_id']}",
                 "reopened" if result.done else result.outcome)


@staff_only
async def on_cancel_page(request: Request, visit: Visit) -> Response:
    """GET /sesi/<id>/batal: what cancelling would do, with the button to do it."""
    session = await _session_of(request, visit)
    if session is None:
        return staff_page(request, visit, "not_found.html", status=404)
    if session.status not in ACTIVE:
        return after(request, f"/sesi/{session.id}", "inactive")
    return staff_page(request, visit, "session_confirm.html", session=session, action="batal",
                      members=await sessions.members(visit.core, session.id))


@staff_only
async def on_cancel(request: Request, visit: Visit) -> Response:
    """POST /sesi/<id>/batal: cancel the session; everyone signed up is told."""
    result = await sessions.cancel(visit.core, visit.staff, visit.core.clock(),
                                   request.path_params["session_id"])
    return after(request, f"/sesi/{request.path_params['session_id']}",
                 "cancelled" if result.done else result.outcome, result.told)

