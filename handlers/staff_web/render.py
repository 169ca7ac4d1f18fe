"""Pages as HTML: one Jinja2 environment, templates translated through the bot's catalogs.

Templates call `_("…")`, `gettext` and `ngettext` (extracted by `make catalog` with Jinja2's
Babel extractor); each page is rendered with the translator of the staff member's language, so
nothing is translated at import time. Autoescaping is on for every template.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from bot import languages as known
from bot.i18n import Translator
from handlers.staff_web.words import staff_name

if TYPE_CHECKING:
    from handlers.staff_web.auth import Visit

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def base_path(request: Request) -> str:
    """Where the staff site is mounted ("/staf"), for links and the cookie path."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def link(request: Request, path: str, query: Mapping[str, Any] | None = None) -> str:
    """An absolute path inside the site, with a query of the non-empty values."""
    url = base_path(request) + path
    if query:
        kept = {k: v for k, v in query.items() if v not in ("", None)}
        if kept:
            url += "?" + urlencode(kept)
    return url


def page(request: Request, template: str, tr: Translator, *, status: int = 200,
         csrf: str = "", staff_name: str = "", **values: Any) -> HTMLResponse:
    """Render `template` in `tr`'s language as a response."""
    html = environment.get_template(template).render(
        _=tr.gettext, gettext=tr.gettext, ngettext=tr.ngettext, tr=tr,
        language=tr.language, languages={code: known.name(code) for code in known.codes()},
        csrf=csrf, staff_name=staff_name,
        request=request, path=request.url.path, base=base_path(request),
        link=lambda path, query=None: link(request, path, query),
        **values)
    return HTMLResponse(html, status_code=status)


# What a page says after a form (POST, then a redirect to GET): a message per code, or a
# (singular, plural) pair for a count.
Notices = Mapping[str, str | tuple[str, str]]


def staff_page(request: Request, visit: Visit, template: str, *, status: int = 200,
               notices: Notices | None = None, **values: Any) -> HTMLResponse:
    """A page for the signed-in staff member: their language, name and form token, and the
    notice of what their last form did."""
    names = visit.core.config.web.staff_names
    tr = visit.tr
    said = (notices or {}).get(request.query_params.get("selesai", ""))
    count = number(request.query_params.get("jumlah"), 0) or 0
    notice = (tr.ngettext(said[0], said[1], count).format(count=tr.number(count))
              if isinstance(said, tuple) else tr.gettext(said) if said else "")
    return page(request, template, tr, status=status, csrf=visit.session.csrf,
                staff_name=staff_name(tr, names, visit.staff.channel, visit.staff.user_id),
                notice=notice, **values)


def after(request: Request, path: str, done: str = "", count: int | None = None,
          anchor: str = "") -> RedirectResponse:
    """Back to a page after a form: `done` names what happened (a code, never personal data),
    `count` how many it concerned, `anchor` where on the page to land."""
    url = link(request, path, {"selesai": done, "jumlah": count})
    return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)


def number(value: str | None, default: int | None = None) -> int | None:
    """A whole number from a form or query field (None or `default` when it is not one)."""
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 12:
        return default
    return int(text)
