"""WhatsApp message templates as configuration: which template each outbound kind uses, their
texts per language with numbered parameters, and the fields of the message that fill them.

Outside WhatsApp's 24-hour window a business may send only templates Meta approved beforehand,
exactly as submitted, so their texts live in `templates.toml` (not in the gettext catalogs: a
new translation must never change an approved text). Only the parameter values are written at
send time, in the owner's language. The file has two parts::

    [kinds]                       # outbound kind -> template name
    reminder_7d = "umkm_pengingat_pelatihan"

    [templates.umkm_pengingat_pelatihan]
    category = "utility"          # or "marketing"
    params = ["session_title", "time_left"]     # {{1}}, {{2}}
    buttons = ["attend:yes:{session_id}"]          # quick replies: what a press sends back
    [templates.umkm_pengingat_pelatihan.id]
    body = "... {{1}} ... {{2}} ..."
    buttons = ["Ya, saya hadir"]

A press on a template's quick reply sends its data back like any button of the bot, so it works
like the same button anywhere. Pure: no I/O except reading the file in `load_templates`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any

from bot import languages
from bot.channel import Attachment, TemplateMessage

BODY_CHARS = 1024  # Meta's limit for a template's body, parameters filled in
FOOTER_CHARS = 60
BUTTON_CHARS = 25  # a quick reply's text
MAX_BUTTONS = 10
CATEGORIES = ("utility", "marketing")
HEADERS = ("", "image", "document")
_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")
_REMINDER = re.compile(r"^reminder_(\d{1,4}[mhd])$")
# Meta's codes of the bot's languages, where they differ from the bot's own.
META_LANGUAGES: Mapping[str, str] = {}

SESSION_FIELDS = ("session_title", "session_date", "session_place", "session_id")
# The fields each kind's message offers to its template ("reminder" stands for every offset).
FIELDS: Mapping[str, tuple[str, ...]] = {
    "reminder": (*SESSION_FIELDS, "time_left"),
    "seat_given": SESSION_FIELDS,
    "seat_promoted": SESSION_FIELDS,
    "seat_lost": (*SESSION_FIELDS, "position"),
    "session_moved": (*SESSION_FIELDS, "old_date"),
    "session_moved_waiting": (*SESSION_FIELDS, "old_date", "position"),
    "session_cancelled": SESSION_FIELDS,
    "invitation": ("year",),
    "announcement": ("text", "broadcast_id"),
    "announcement_photo": ("text", "broadcast_id"),
    "announcement_document": ("text", "broadcast_id"),
}
# The header a kind's template must have: an announcement's photo or document.
KIND_HEADERS: Mapping[str, str] = {"announcement_photo": "image",
                                   "announcement_document": "document"}


class TemplateError(ValueError):
    """The templates file is wrong; the message is one sentence naming what."""


@dataclass(frozen=True)
class Wording:
    """A template's texts in one language."""

    body: str
    buttons: tuple[str, ...] = ()
    footer: str = ""


@dataclass(frozen=True)
class Template:
    """One template as submitted to Meta: its texts in every language it has."""

    name: str
    category: str
    params: tuple[str, ...]  # the field filling {{1}}, {{2}}, …
    buttons: tuple[str, ...]  # data of each quick reply, with {field}s
    texts: Mapping[str, Wording]  # by the bot's language code, the fallback first
    header: str = ""  # "", "image" or "document": the message's file goes there

    @property
    def marketing(self) -> bool:
        """True for a marketing template (announcements, invitations)."""
        return self.category == "marketing"


@dataclass(frozen=True)
class Templates:
    """Every template, and which one each kind uses."""

    kinds: Mapping[str, str] = field(default_factory=dict)
    templates: Mapping[str, Template] = field(default_factory=dict)
    source: str = ""

    def for_kind(self, kind: str) -> Template | None:
        """The template of `kind`, if one is configured."""
        name = self.kinds.get(kind)
        return self.templates.get(name) if name else None

    def missing(self, reminder_labels: tuple[str, ...]) -> list[str]:
        """The kinds the bot sends that have no template (they wait outside the window)."""
        return [kind for kind in kinds(reminder_labels) if kind not in self.kinds]


def kinds(reminder_labels: tuple[str, ...]) -> tuple[str, ...]:
    """Every kind of message the bot may send outside the window, one per reminder offset."""
    return (*(f"reminder_{label}" for label in reminder_labels),
            *(kind for kind in FIELDS if kind != "reminder"))


def fields_of(kind: str) -> tuple[str, ...] | None:
    """The fields a kind's message offers; None for a kind the bot does not know."""
    if _REMINDER.match(kind):
        return FIELDS["reminder"]
    return FIELDS.get(kind) if kind != "reminder" else None


def meta_language(code: str) -> str:
    """Meta's code for one of the bot's languages."""
    return META_LANGUAGES.get(code, code)


def _pattern_fields(pattern: str) -> set[str]:
    try:
        return {name for _text, name, _spec, _conv in Formatter().parse(pattern) if name}
    except ValueError:
        return {"{"}  # a stray brace: never a field


def _strings(value: Any, where: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TemplateError(f"{where}: {what} must be a list of texts.")
    return tuple(v.strip() for v in value)


def _wording(where: str, raw: Any, params: int, buttons: int) -> Wording:
    if not isinstance(raw, Mapping) or set(raw) - {"body", "buttons", "footer"}:
        raise TemplateError(f"{where} must be a table with body, buttons and footer.")
    body = raw.get("body")
    if not isinstance(body, str) or not body.strip():
        raise TemplateError(f"{where}: body must be a text.")
    body = body.strip()
    numbers = [int(n) for n in _PLACEHOLDER.findall(body)]
    if sorted(set(numbers)) != list(range(1, params + 1)):
        raise TemplateError(f"{where}: body must use {{{{1}}}} to {{{{{params}}}}}, one for "
                            "each of params, and no others.")
    if _PLACEHOLDER.match(body) or re.search(r"\{\{\d+\}\}[\s.!?]*$", body):
        raise TemplateError(f"{where}: body must not start or end with a parameter (Meta "
                            "refuses such templates).")
    if len(body) > BODY_CHARS:
        raise TemplateError(f"{where}: body is {len(body)} characters; at most {BODY_CHARS}.")
    texts = _strings(raw.get("buttons", []), where, "buttons")
    if len(texts) != buttons or any(len(t) > BUTTON_CHARS for t in texts):
        raise TemplateError(f"{where}: buttons must be {buttons} texts of at most "
                            f"{BUTTON_CHARS} characters, one for each button.")
    footer = raw.get("footer", "")
    if not isinstance(footer, str) or len(footer) > FOOTER_CHARS or _PLACEHOLDER.search(footer):
        raise TemplateError(f"{where}: footer must be a text of at most {FOOTER_CHARS} "
                            "characters without parameters.")
    return Wording(body, texts, footer.strip())


def _template(source: str, name: str, raw: Any) -> Template:
    where = f"{source}: [templates.{name}]"
    if not _NAME.match(name):
        raise TemplateError(f"{where}: a template name has only a-z, 0-9 and _.")
    if not isinstance(raw, Mapping):
        raise TemplateError(f"{where} must be a table.")
    category = raw.get("category")
    if category not in CATEGORIES:
        raise TemplateError(f'{where}: category must be "utility" or "marketing".')
    header = raw.get("header", "")
    if header not in HEADERS:
        raise TemplateError(f'{where}: header must be "image" or "document" (or left out).')
    params = _strings(raw.get("params", []), where, "params")
    buttons = _strings(raw.get("buttons", []), where, "buttons")
    if len(buttons) > MAX_BUTTONS:
        raise TemplateError(f"{where}: at most {MAX_BUTTONS} buttons.")
    codes = [key for key in raw if key in languages.codes()]
    unknown = set(raw) - {"category", "header", "params", "buttons", *codes}
    if unknown:
        raise TemplateError(f"{where} has an unknown key '{sorted(unknown)[0]}' (languages "
                            f"are {', '.join(languages.codes())}).")
    if not codes:
        raise TemplateError(f"{where} needs its text in at least one language "
                            f"({', '.join(languages.codes())}).")
    codes.sort(key=languages.codes().index)  # the fallback language first
    texts = {code: _wording(f"{where[:-1]}.{code}]", raw[code], len(params), len(buttons))
             for code in codes}
    return Template(name, category, params, buttons, texts, header)


def parse_templates(raw: Any, source: str) -> Templates:
    """Check a templates file's content (parsed TOML) and build the templates."""
    if not isinstance(raw, Mapping) or set(raw) - {"kinds", "templates"}:
        raise TemplateError(f"{source} must have two tables: [kinds] and [templates.<name>].")
    templates_raw = raw.get("templates", {})
    if not isinstance(templates_raw, Mapping):
        raise TemplateError(f"{source}: [templates] must hold one table per template.")
    templates = {name: _template(source, name, value) for name, value in templates_raw.items()}
    kinds_raw = raw.get("kinds", {})
    if not isinstance(kinds_raw, Mapping):
        raise TemplateError(f"{source}: [kinds] must be a table of kind = template name.")
    for kind, name in kinds_raw.items():
        offered = fields_of(kind)
        if offered is None:
            raise TemplateError(f"{source}: [kinds] names an unknown kind '{kind}' (kinds are "
                                f"reminder_<offset> and {', '.join(list(FIELDS)[1:])}).")
        template = templates.get(name) if isinstance(name, str) else None
        if template is None:
            raise TemplateError(f"{source}: [kinds] {kind} names a template that is not "
                                f"defined ([templates.{name}]).")
        needed = set(template.params) | {f for b in template.buttons for f in _pattern_fields(b)}
        extra = sorted(needed - set(offered))
        if extra:
            raise TemplateError(f"{source}: template {name} uses '{extra[0]}', which a {kind} "
                                f"message does not have (it has {', '.join(offered)}).")
        if template.header != KIND_HEADERS.get(kind, ""):
            wanted = KIND_HEADERS.get(kind) or "no"
            raise TemplateError(f"{source}: {kind} needs a template with {wanted} header; "
                                f"{name} has {template.header or 'none'}.")
    return Templates(dict(kinds_raw), templates, source)


def load_templates(path: Path) -> Templates:
    """Read and check a templates file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(f"The templates file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{path.name} is not valid TOML: {exc}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"The templates file {path} cannot be read: {exc}.") from None
    return parse_templates(raw, path.name)


_SPACES = re.compile(r"[ \t]+")


def flat(text: str) -> str:
    """A parameter value as Meta takes it: one line, no tabs, no runs of spaces (narrow and
    no-break spaces, as Babel writes in times, are kept)."""
    lines = [_SPACES.sub(" ", line).strip() for line in str(text).splitlines()]
    return " · ".join(line for line in lines if line) or "-"


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, max(1, limit - 1))
    return (text[:cut] if cut > limit // 2 else text[: max(0, limit - 1)]).rstrip(" ,;:·") + "…"


def filled(body: str, values: tuple[str, ...]) -> str:
    """The body as the owner reads it."""
    return _PLACEHOLDER.sub(lambda m: values[int(m.group(1)) - 1], body)


def fill(template: Template, language: str, fields: Mapping[str, Any], *,
         header: Attachment | None = None) -> TemplateMessage:
    """The template message for one owner: in their language (else the template's first),
    its parameters from `fields`, each quick reply's data, the header's file."""
    code = language if language in template.texts else next(iter(template.texts))
    wording = template.texts[code]
    values = [flat(fields[name]) for name in template.params]
    room = BODY_CHARS - len(_PLACEHOLDER.sub("", wording.body))
    while sum(len(v) for v in values) > room:  # the longest value gives way, at a word
        longest = max(range(len(values)), key=lambda i: len(values[i]))
        others = sum(len(v) for i, v in enumerate(values) if i != longest)
        values[longest] = _shorten(values[longest], max(1, room - others))
        if len(values[longest]) <= 2:
            break
    payloads = tuple(pattern.format_map(dict(fields)) for pattern in template.buttons)
    return TemplateMessage(template.name, meta_language(code), tuple(values), payloads,
                           header=header, marketing=template.marketing,
                           body=filled(wording.body, tuple(values)), labels=wording.buttons)


def meta_json(templates: Templates,
              example: Callable[[str, str], str]) -> list[dict[str, Any]]:
    """Every template in every language as Meta's template API takes it (POST
    /<WABA id>/message_templates), with `example(field, language)` values for review."""
    out = []
    for template in templates.templates.values():
        for code, wording in template.texts.items():
            components: list[dict[str, Any]] = []
            if template.header:
                components.append({"type": "HEADER", "format": template.header.upper(),
                                   "example": {"header_handle": [
                                       "<the handle of a sample file uploaded with Meta's "
                                       "Resumable Upload API>"]}})
            body: dict[str, Any] = {"type": "BODY", "text": wording.body}
            if template.params:
                body["example"] = {"body_text": [[example(name, code)
                                                  for name in template.params]]}
            components.append(body)
            if wording.footer:
                components.append({"type": "FOOTER", "text": wording.footer})
            if wording.buttons:
                components.append({"type": "BUTTONS", "buttons": [
                    {"type": "QUICK_REPLY", "text": text} for text in wording.buttons]})
            out.append({"name": template.name, "language": meta_language(code),
                        "category": template.category.upper(), "components": components})
    return out
