"""The announcements pages: the recent ones; compose (text with WhatsApp-style formatting, a photo
or a document), choose the audience, preview with the count per channel, send now or at a time;
then a page that follows it while it goes out (it refreshes itself, no script) and ends with the
report and its failures.

Thin views over bot/actions/announcements.py, the actions of the chat's /umumkan; an uploaded
file is stored once and each channel uploads it once (bot/media.py).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from bot import broadcasting
from bot.actions import announcements
from bot.actions.announcements import Draft
from bot.announcement_report import reason_words
from bot.audiences import AUDIENCE_NAMES
from bot.channel import plain_text
from bot.i18n import N_
from bot.markup import from_whatsapp
from bot.media import DOCUMENT_LIMIT, PHOTO_LIMIT
from bot.storage.broadcasts import KIND, Audience, Broadcast
from bot.validators import Valid, check
from bot.views import (
    BROADCAST_STATUS_NAMES,
    audience_words,
    choice_label,
    group_name,
)
from handlers.staff_web.auth import Visit, staff_only
from handlers.staff_web.render import Notices, after, staff_page

REFRESH_SECONDS = 3  # how often the page of an announcement being sent reloads itself
RECENT = 20
NOTICES: Notices = {
    "started": N_("The announcement is on its way."),
    "scheduled": N_("The announcement is scheduled."),
    "again": N_("This form was sent already: the announcement below is the one it made."),
    "cancelled": N_("The announcement is cancelled; nobody received it."),
    "stopped": N_("Stopped. Messages not sent yet are withdrawn."),
    "too_late": N_("That can no longer be done: the announcement has moved on."),
}
UPLOAD_REFUSALS = {
    "empty": N_("The file is empty."),
    "too_big": N_("The file is too big: a photo may have at most {photo} MB, a document {document} "
                  "MB."),
    "type": N_("This kind of file cannot be sent: choose a JPEG or PNG photo, or a PDF, Word, "
               "Excel, PowerPoint or text document."),
}


async def _audiences(visit: Visit) -> list[tuple[str, list[tuple[str, str]]]]:
    """The audiences to choose from, grouped: (group label, [(value, label)])."""
    core, tr = visit.core, visit.tr
    _ = tr.gettext
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        ("", [(kind, _(AUDIENCE_NAMES[kind])) for kind in ("all", "eligible", "not_eligible")])]
    for kind in ("registered", "waiting", "interest"):
        choices = await core.db.broadcasts.choices(kind)
        groups.append((_(AUDIENCE_NAMES[kind]),
                       [(f"{kind}:{c.value}", choice_label(tr, c)) for c in choices]))
    for kind, question_id in announcements.ANSWERS.items():
        question = next(q for q in core.questionnaire.questions if q.id == question_id)
        groups.append((_(AUDIENCE_NAMES[kind]),
                       [(f"{kind}:{o.value}", _(o.label)) for o in question.options]))
    return [(label, options) for label, options in groups if options]


def _audience(value: str) -> Audience:
    kind, _sep, rest = value.partition(":")
    return Audience(kind, rest)


async def _describe(visit: Visit, audience: Audience) -> str:
    """The audience in words (plain text: the page escapes it)."""
    choices = await announcements.audience_choices(visit.core, audience)
    return plain_text(audience_words(visit.tr, visit.core.questionnaire, audience, choices))


async def _compose(request: Request, visit: Visit, *, status: int = 200, text: str = "",
                   audience: str = "all", media_id: int | None = None,
                   errors: dict[str, str] | None = None) -> Response:
    media = await visit.core.db.media.get(media_id) if media_id else None
    return staff_page(request, visit, "announce.html", status=status, text=text,
                      audience=audience, media=media, audiences=await _audiences(visit),
                      errors=errors or {}, text_limit=announcements.TEXT_LIMIT,
                      caption_limit=announcements.CAPTION_LIMIT)


@staff_only
async def on_list(request: Request, visit: Visit) -> Response:
    """GET /pengumuman: the recent announcements and how each went."""
    db = visit.core.db
    rows = []
    for broadcast in await db.broadcasts.recent(RECENT):
        counts = await db.outbox.counts(KIND, broadcast.ref)
        rows.append((broadcast, await _describe(visit, broadcast.audience), counts))
    return staff_page(request, visit, "announcements.html", rows=rows,
                      status_names=BROADCAST_STATUS_NAMES)


@staff_only
async def on_new(request: Request, visit: Visit) -> Response:
    """GET /pengumuman/baru: an empty form; POST: the form again, with what it had."""
    if request.method == "GET":
        return await _compose(request, visit)
    form = await request.form()
    media_id = str(form.get("media", ""))
    return await _compose(request, visit, text=str(form.get("text", "")),
                          audience=str(form.get("audience", "all")),
                          media_id=int(media_id) if media_id.isdigit() else None)


async def _draft(request: Request, visit: Visit, form: Any,
                 ) -> tuple[Draft | None, dict[str, str], str, int | None]:
    """The draft a compose or preview form describes: (draft or None, errors, text, media)."""
    tr = visit.tr
    text = str(form.get("text", "")).replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    media_id = int(str(form.get("media", ""))) if str(form.get("media", "")).isdigit() else None
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        stored = await announcements.upload(visit.core, visit.core.clock(), upload.filename,
                                            await upload.read())
        if isinstance(stored, str):
            errors["file"] = tr.gettext(UPLOAD_REFUSALS[stored]).format(
                photo=tr.number(PHOTO_LIMIT // 2**20), document=tr.number(DOCUMENT_LIMIT // 2**20))
        else:
            media_id = stored.id
    if media_id is not None and await visit.core.db.media.get(media_id) is None:
        media_id = None
    audience = _audience(str(form.get("audience", "")))
    if not await announcements.valid_audience(visit.core, audience):
        errors["audience"] = tr.gettext("Please choose who should receive it.")
    if not text and media_id is None:
        errors["text"] = tr.gettext("Please write the announcement, or attach a photo or a "
                                    "document.")
    draft = Draft(from_whatsapp(text), audience, media_id=media_id)
    if draft.too_long:
        errors["text"] = tr.gettext("That is too long: at most {limit} characters (with "
                                    "formatting). Please shorten it.").format(
            limit=tr.number(draft.limit))
    return (None if errors else draft), errors, text, media_id


@staff_only
async def on_preview(request: Request, visit: Visit) -> Response:
    """POST /pengumuman/pratinjau: the announcement as owners will get it, with the count of
    who gets it on each channel, and the buttons to send it now or later."""
    form = await request.form()
    draft, errors, text, media_id = await _draft(request, visit, form)
    if draft is None:
        return await _compose(request, visit, status=400, text=text, media_id=media_id,
                              audience=str(form.get("audience", "all")), errors=errors)
    return await _preview(request, visit, draft, text)


async def _preview(request: Request, visit: Visit, draft: Draft, text: str, *,
                   status: int = 200, errors: dict[str, str] | None = None) -> Response:
    core, tr = visit.core, visit.tr
    local = core.clock().astimezone(core.config.time_zone)
    counts = await announcements.counts(core, draft.audience)
    media = await core.db.media.get(draft.media_id) if draft.media_id else None
    shown = broadcasting.announcement(_as_broadcast(draft, tr.language, core.clock()), tr)
    return staff_page(
        request, visit, "announce_preview.html", status=status, text=text, draft=draft,
        audience_value=draft.audience.kind + (f":{draft.audience.value}"
                                              if draft.audience.value else ""),
        audience=await _describe(visit, draft.audience), shown=Markup(shown.text), media=media,
        counts=[(group_name(tr, core.questionnaire, "channel", c), n)
                for c, n in counts.items()], total=sum(counts.values()),
        form_key=secrets.token_urlsafe(16), errors=errors or {},
        now=local.strftime("%Y-%m-%dT%H:%M"),
        soon=(local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)).strftime(
            "%Y-%m-%dT%H:%M"))


def _as_broadcast(draft: Draft, language: str, now: datetime) -> Broadcast:
    """A draft as the broadcast row it will become, to render it exactly as owners get it."""
    return Broadcast(0, "", "", "", language, draft.html, "", "", draft.audience, "scheduled",
                     None, None, None, now, None, None, draft.media_id)


@staff_only
async def on_send(request: Request, visit: Visit) -> Response:
    """POST /pengumuman/kirim: send the previewed announcement now, or at `when` (WIB)."""
    form = await request.form()
    draft, errors, text, _media = await _draft(request, visit, form)
    if draft is None:
        return await _compose(request, visit, status=400, text=text,
                              audience=str(form.get("audience", "all")), errors=errors)
    core, now = visit.core, visit.core.clock()
    key = str(form.get("form_key", ""))[:64] or None
    typed = str(form.get("when", "")).strip()
    if form.get("later") == "1":
        # The chat's rule and reader (`send_time`); the page's field sends "2027-10-06T09:00".
        checked = check("send_time", typed, now.astimezone(core.config.time_zone))
        when = datetime.fromisoformat(checked.value) if isinstance(checked, Valid) else None
        if when is None or not announcements.can_schedule(when, now):
            return await _preview(request, visit, draft, text, status=400, errors={
                "when": visit.tr.gettext("Please choose a date and time (WIB) in the coming "
                                         "year.")})
        done = await announcements.schedule(core, visit.staff, now, draft, when,
                                            language=visit.tr.language, form_key=key)
    else:
        done = await announcements.send_now(core, visit.staff, now, draft,
                                            language=visit.tr.language, form_key=key)
    if done.broadcast is None:
        return await _compose(request, visit, status=400, text=text, media_id=draft.media_id,
                              errors={"audience": visit.tr.gettext(
                                  "Please choose who should receive it.")})
    return after(request, f"/pengumuman/{done.broadcast.id}", done.outcome)


@staff_only
async def on_announcement(request: Request, visit: Visit) -> Response:
    """GET /pengumuman/<id>: where it stands; while it goes out the page reloads itself."""
    core = visit.core
    found = await broadcasting.progress(core, request.path_params["broadcast_id"])
    if found is None:
        return staff_page(request, visit, "not_found.html", status=404)
    broadcast = found.broadcast
    media = await core.db.media.get(broadcast.media_id) if broadcast.media_id else None
    failures = None
    if request.query_params.get("gagal") == "1":
        failures = await announcements.failures(core, visit.staff, core.clock(), broadcast.id)
        names = await core.db.applicants.names(sorted({o for o, _r in failures if o}))
        failures = [(owner, names.get(owner or 0, ""), reason_words(visit.tr, reason))
                    for owner, reason in failures]
    shown = broadcasting.announcement(broadcast, visit.tr)
    return staff_page(
        request, visit, "announcement.html", notices=NOTICES, broadcast=broadcast,
        progress=found, media=media, shown=Markup(shown.text), failures=failures,
        audience=await _describe(visit, broadcast.audience),
        status_name=visit.tr.gettext(BROADCAST_STATUS_NAMES[broadcast.status]),
        refresh=REFRESH_SECONDS if broadcast.status == "sending" else None,
        by_channel=[(group_name(visit.tr, core.questionnaire, "channel", c), n)
                    for c, n in sorted(found.by_channel.items())])


@staff_only
async def on_cancel(request: Request, visit: Visit) -> Response:
    """POST /pengumuman/<id>/batal: cancel a scheduled announcement."""
    broadcast_id = request.path_params["broadcast_id"]
    ended = await announcements.cancel(visit.core, visit.staff, visit.core.clock(), broadcast_id)
    return after(request, f"/pengumuman/{broadcast_id}", ended.outcome)


@staff_only
async def on_stop(request: Request, visit: Visit) -> Response:
    """POST /pengumuman/<id>/henti: stop an announcement being sent."""
    broadcast_id = request.path_params["broadcast_id"]
    ended = await announcements.stop(visit.core, visit.staff, visit.core.clock(), broadcast_id)
    return after(request, f"/pengumuman/{broadcast_id}", ended.outcome)


@staff_only
async def on_media(request: Request, visit: Visit) -> Response:
    """GET /media/<id>: an uploaded file, for its preview (staff only, never cached)."""
    media_id = request.path_params["media_id"]
    media = await visit.core.db.media.get(media_id)
    content = await visit.core.db.media.content(media_id) if media else None
    if media is None or content is None:
        return Response(status_code=404)
    disposition = "inline" if media.kind == "photo" else "attachment"
    return Response(content, media_type=media.mime, headers={
        "content-disposition": f'{disposition}; filename="{media.name}"'})
