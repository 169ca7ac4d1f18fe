"""Pages as HTML: one Jinja2 environment, templates translated through the bot's catalogs.

Templates call `_("…")`, `gettext` and `ngettext` (extracted by `make catalog` with Jinja2's
Babel extractor); each page is rendered with the translator of the staff member's language, so
nothing is translated at import time. Autoescaping is on for every template.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot import languages as known
from bot.i18n import Translator

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
