"""The pages that only read: overview (the funnel), applicants, one applicant, downloads, audit.

Each is a thin view over the same queries the chat's staff tools use: the funnel of /rekap
(`db.reports.funnel`), the files of /ekspor (`export.export_files`), the answers as /datasaya
shows them (`format_answer`).
"""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot import languages
from bot.eligibility import PART_MAX, PARTS
from bot.export import export_files
from bot.i18n import N_
from bot.questions import BUSINESS_NAME, KECAMATAN, NAME, PRODUCT_TYPE
from bot.storage.applicants import ELIGIBILITY, SORTS, Filters
from bot.storage.reports import STAGES
from bot.views import CRITERION_NAMES, PART_NAMES, STAGE_NAMES, format_answer, group_name
from handlers.staff_web import charts, words
from handlers.staff_web.auth import Visit, staff_only
from handlers.staff_web.render import link, staff_page

BREAKDOWNS = ("product", "kecamatan", "source", "channel")
BREAKDOWN_TITLES = {"product": N_("By product type"), "kecamatan": N_("By kecamatan"),
                    "source": N_("By source (deep link)"), "channel": N_("By channel")}
# The stages a breakdown's chart shows (all seven are in its table).
CHART_STAGES = (0, 3, 4, 6)  # started, eligible, signed up, attended
AUDIT_PAGE = 50


_page = staff_page  # every page here is for signed-in staff


def _options(visit: Visit, question_id: str) -> list[tuple[str, str]]:
    question = next(q for q in visit.core.questionnaire.questions if q.id == question_id)
    return [(o.value, visit.tr.gettext(o.label)) for o in question.options]


@staff_only
async def on_overview(request: Request, visit: Visit) -> Response:
    """GET /: the funnel and its breakdowns, as charts beside their numbers."""
    tr, questionnaire = visit.tr, visit.core.questionnaire
    stage_names = tuple(tr.gettext(STAGE_NAMES[s]) for s in STAGES)
    funnels = await visit.core.db.reports.funnels()  # the numbers of /rekap
    (overall,) = funnels[None]
    sections = []
    for dimension in BREAKDOWNS:
        rows = funnels[dimension]
        groups = tuple(group_name(tr, questionnaire, dimension, r.group) for r in rows)
        counts = [r.counts for r in rows]
        sections.append({
            "dimension": dimension,
            "title": tr.gettext(BREAKDOWN_TITLES[dimension]),
            "rows": list(zip(groups, counts, strict=True)),
            "chart": charts.breakdown_chart(groups, charts.stage_series(
                stage_names, counts, CHART_STAGES)) if rows else "",
        })
    return _page(request, visit, "overview.html", stages=stage_names, stage_keys=STAGES,
                 overall=overall.counts,
                 funnel_chart=charts.funnel_chart(stage_names, overall.counts),
                 sections=sections, now=visit.core.clock())


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


@staff_only
async def on_applicants(request: Request, visit: Visit) -> Response:
    """GET /pendaftar: the applicants table, filtered, sorted and paged by the query string."""
    q = request.query_params
    product_options = _options(visit, PRODUCT_TYPE)
    kecamatan_options = _options(visit, KECAMATAN)
    sources = await visit.core.db.applicants.sources()
    channels = await visit.core.db.applicants.channels()
    filters = Filters(
        eligibility=q.get("kelayakan", "") if q.get("kelayakan") in ELIGIBILITY else "",
        product=q.get("produk", "") if q.get("produk") in dict(product_options) else "",
        kecamatan=q.get("kecamatan", "") if q.get("kecamatan") in dict(kecamatan_options) else "",
        readiness_min=_int(q.get("kesiapan"), None),
        source=q.get("sumber", "") if q.get("sumber") in ("-", *sources) else "",
        channel=q.get("kanal", "") if q.get("kanal") in channels else "",
        reached=q.get("tahap", "") if q.get("tahap") in STAGES else "",
        search=visit.session.search,
    )
    sort = q.get("urut", "readiness") if q.get("urut") in SORTS else "readiness"
    descending = q.get("arah", "turun" if SORTS[sort][1] else "naik") == "turun"
    result = await visit.core.db.applicants.page(filters, sort, descending,
                                                 _int(q.get("hal"), 1) or 1)
    query = {"kelayakan": filters.eligibility, "produk": filters.product,
             "kecamatan": filters.kecamatan, "kesiapan": filters.readiness_min,
             "sumber": filters.source, "kanal": filters.channel, "tahap": filters.reached,
             "urut": sort, "arah": "turun" if descending else "naik"}
    tr = visit.tr
    questionnaire = visit.core.questionnaire
    return _page(
        request, visit, "applicants.html", result=result, filters=filters, query=query,
        sort=sort, descending=descending, sorts=SORTS,
        product_options=product_options, kecamatan_options=kecamatan_options,
        sources=sources, channels=[(c, group_name(tr, questionnaire, "channel", c))
                                   for c in channels],
        stages=[(s, tr.gettext(STAGE_NAMES[s])) for s in STAGES],
        stage_names={s: tr.gettext(STAGE_NAMES[s]) for s in STAGES},
        product_names=dict(product_options), kecamatan_names=dict(kecamatan_options),
        channel_name=lambda c: group_name(tr, questionnaire, "channel", c))


@staff_only
async def on_search(request: Request, visit: Visit) -> Response:
    """POST /pendaftar/cari: search names and businesses (kept in the session, not the URL)."""
    form = await request.form()
    search = "" if form.get("hapus") else str(form.get("cari", "")).strip()[:100]
    await visit.core.db.web.set_search(visit.token_hash, search)
    return RedirectResponse(link(request, "/pendaftar"), status_code=303)


@staff_only
async def on_applicant(request: Request, visit: Visit) -> Response:
    """GET /pendaftar/<id>: every answer, readiness, consent, sign-ups and messages sent."""
    db, tr = visit.core.db, visit.tr
    owner = await db.owners.get(request.path_params["owner_id"])
    if owner is None:
        return _page(request, visit, "missing.html")
    answers = await db.owners.answers(owner.id)
    shown = [(tr.gettext(q.short), Markup(format_answer(tr, q, answers[q.id])))
             for q in visit.core.questionnaire.questions if q.id in answers]
    result = owner.result or {}
    parts = [(tr.gettext(PART_NAMES[p]), result.get("parts", {}).get(p)) for p in PARTS]
    unmet = [tr.gettext(CRITERION_NAMES[c]) for c in result.get("unmet", ())
             if c in CRITERION_NAMES]
    sessions = {s.id: s.title for s in await db.reports.sessions()}
    sign_ups = await db.registrations.of_owner(owner.id)
    sent = await db.applicants.sent(owner.id)
    return _page(
        request, visit, "applicant.html", owner=owner, answers=shown, parts=parts,
        part_max=PART_MAX, unmet=unmet, sign_ups=sign_ups,
        interest_years=await db.interest.years_of(owner.id),
        opted_out=await db.broadcasts.opted_out(owner.id),
        sent=[(item, words.sent_what(tr, item, sessions)) for item in sent],
        name=answers.get(NAME, ""), business=answers.get(BUSINESS_NAME, ""),
        language_name=languages.name(owner.language),
        channel_name=group_name(tr, visit.core.questionnaire, "channel", owner.channel),
        words=words)


@staff_only
async def on_downloads(request: Request, visit: Visit) -> Response:
    """GET /unduh: the export's two files, as /ekspor sends them."""
    return _page(request, visit, "downloads.html")


@staff_only
async def on_download(request: Request, visit: Visit) -> Response:
    """GET /unduh/umkm.xlsx or .csv: the file, built as /ekspor builds it, and audited."""
    kind = request.path_params["kind"]
    if kind not in ("xlsx", "csv"):
        return Response(status_code=404)
    files = await export_files(visit.core.db, visit.tr, visit.core.questionnaire,
                               visit.core.clock())
    await visit.audit("export", files.owners, sessions=files.sessions, file=kind)
    content, media = ((files.workbook, "application/vnd.openxmlformats-officedocument"
                                       ".spreadsheetml.sheet") if kind == "xlsx"
                      else (files.csv, "text/csv; charset=utf-8"))
    return Response(content, media_type=media, headers={
        "content-disposition": f'attachment; filename="umkm-{files.stamp}.{kind}"'})


@staff_only
async def on_audit(request: Request, visit: Visit) -> Response:
    """GET /audit: staff actions in words, newest first, with older ones a page further."""
    db, tr = visit.core.db, visit.tr
    before = _int(request.query_params.get("sebelum"), None)
    entries = await db.staff.audit_entries(AUDIT_PAGE + 1, before)
    more = len(entries) > AUDIT_PAGE
    entries = entries[:AUDIT_PAGE]
    sessions = {s.id: s.title for s in await db.reports.sessions()}
    names = await db.applicants.names(sorted({i for e in entries for i in words.owners_in(e)}))
    staff_names = visit.core.config.web.staff_names
    lines = [(entry, words.staff_name(tr, staff_names, entry.channel, entry.actor),
              words.describe(tr, entry, sessions, names)) for entry in entries]
    return _page(request, visit, "audit.html", lines=lines,
                 older=entries[-1].id if more and entries else None)
