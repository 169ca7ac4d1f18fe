"""/rekap (the funnel, by product type, kecamatan and source) and /ekspor (XLSX and CSV)."""

from __future__ import annotations

from bot import export
from bot.channel import Attachment, Button, Reply
from bot.core import Context, Router, esc
from bot.i18n import N_, Translator
from bot.owner_buttons import Menu
from bot.storage.reports import STAGES, FunnelRow
from bot.views import STAGE_NAMES, group_name

SECTIONS = (("product", N_("<b>By product type</b>")), ("kecamatan", N_("<b>By kecamatan</b>")),
            ("source", N_("<b>By source (deep link)</b>")), ("channel", N_("<b>By channel</b>")))
MAX_GROUPS = 15  # per section, so the summary fits one message


def register(router: Router) -> None:
    """Wire /rekap, /ekspor and their staff-menu entries."""
    router.command(("rekap", "summary"), on_summary,
                   N_("Summary: started, finished, eligible, signed up, attended"), staff=True)
    router.command(("ekspor", "export"), on_export, N_("Export owners and sign-ups (XLSX, CSV)"),
                   staff=True)
    router.staff_menu_entry(menu_buttons)


async def menu_buttons(ctx: Context) -> list[Button]:
    """The report entries of the staff menu."""
    _ = ctx.tr.gettext
    return [Button(_("📊 Summary"), Menu("rekap").pack()), Button(_("📥 Download (Excel)"),
                                                       Menu("ekspor").pack())]


def funnel_line(tr: Translator, row: FunnelRow) -> str:
    """The counts of one group, stage after stage."""
    return " → ".join(tr.number(n) for n in row.counts)


def group_label(ctx: Context, dimension: str, group: str | None) -> str:
    """A group's name for people, escaped for reply HTML."""
    return esc(group_name(ctx.tr, ctx.core.questionnaire, dimension, group))


async def on_summary(ctx: Context, _args: str) -> None:
    """/rekap: the funnel for everyone, then by product type, kecamatan and source."""
    _ = ctx.tr.gettext
    funnels = await ctx.db.reports.funnels()
    (overall,) = funnels[None]
    lines = [
        _("<b>Summary</b> ({when})").format(when=ctx.tr.datetime(ctx.now)),
        "<i>" + " → ".join(_(STAGE_NAMES[s]) for s in STAGES) + "</i>",
        _("All: {counts}").format(counts=funnel_line(ctx.tr, overall)),
    ]
    for dimension, title in SECTIONS:
        rows = funnels[dimension]
        lines += ["", _(title)]
        for row in rows[:MAX_GROUPS]:
            lines.append(f"{group_label(ctx, dimension, row.group)}: {funnel_line(ctx.tr, row)}")
        if len(rows) > MAX_GROUPS:
            lines.append(ctx.tr.ngettext("… and {count} more", "… and {count} more",
                                         len(rows) - MAX_GROUPS).format(
                                             count=ctx.tr.number(len(rows) - MAX_GROUPS)))
    await ctx.audit("report.summary", overall.counts[0])
    ctx.reply("\n".join(lines))


async def on_export(ctx: Context, _args: str) -> None:
    """/ekspor: the workbook and the CSV, as documents."""
    _ = ctx.tr.gettext
    files = await export.export_files(ctx.db, ctx.tr, ctx.core.questionnaire, ctx.now)
    await ctx.audit("export", files.owners, sessions=files.sessions)
    # Each count is a sentence part of its own, so both are pluralised ("1 training session").
    owners = ctx.tr.ngettext("{count} owner", "{count} owners", files.owners).format(
        count=ctx.tr.number(files.owners))
    sessions = ctx.tr.ngettext("{count} training session", "{count} training sessions",
                               files.sessions).format(count=ctx.tr.number(files.sessions))
    caption = _("Data of {owners} and {sessions}, {when}.").format(
        owners=owners, sessions=sessions, when=ctx.tr.datetime(ctx.now))
    ctx.replies.append(Reply(caption, attachment=Attachment(f"umkm-{files.stamp}.xlsx",
                                                            files.workbook)))
    ctx.replies.append(Reply(_("The same list of owners as CSV."),
                             attachment=Attachment(f"umkm-{files.stamp}.csv", files.csv)))
