"""What Meta's Graph API refuses, as the fake checks it: the limits of text, buttons and lists
(`validate`), and template messages against the templates approved (`check_template`), with
Meta's error codes. Pure functions over the JSON bodies the bot posts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


def _text(value: Any, name: str, limit: int, required: bool = True) -> str | None:
    if value is None or value == "":
        return f"{name} is required" if required else None
    if not isinstance(value, str):
        return f"{name} must be a string"
    if len(value) > limit:
        return f"{name} is {len(value)} characters long; at most {limit} are allowed"
    return None


def _unique(values: list[str], name: str) -> str | None:
    if len(set(values)) != len(values):
        return f"{name} must be unique"
    return None


def validate(payload: Any) -> str | None:
    """Why Meta would refuse this POST /messages body (None: it would accept it)."""
    if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp"
    if "status" in payload:
        if payload.get("status") != "read" or not payload.get("message_id"):
            return "a status update needs status=read and a message_id"
        return None
    if bool(payload.get("to")) == bool(payload.get("recipient")):
        return "exactly one of to and recipient is required"
    kind = payload.get("type", "text")
    body = payload.get(kind)
    if not isinstance(body, dict):
        return f"the {kind} object is required"
    if kind == "text":
        return _text(body.get("body"), "text.body", 4096)
    if kind in ("image", "document"):
        if bool(body.get("id")) == bool(body.get("link")):
            return f"{kind} needs exactly one of id and link"
        return _text(body.get("caption"), f"{kind}.caption", 1024, required=False)
    if kind == "template":
        if not isinstance(body.get("name"), str) or not isinstance(body.get("language"), dict):
            return "template needs a name and a language"
        return None  # checked against the approved templates (check_template)
    if kind != "interactive":
        return f"message type {kind} is not supported here"
    return _interactive(body)


def _interactive(obj: dict[str, Any]) -> str | None:
    kind = obj.get("type")
    problem = _text((obj.get("body") or {}).get("text"), "interactive.body.text", 1024)
    header = obj.get("header")
    if header is not None:
        problem = problem or _text(header.get("text"), "header.text", 60)
    footer = obj.get("footer")
    if footer is not None:
        problem = problem or _text(footer.get("text"), "footer.text", 60)
    if problem:
        return problem
    action = obj.get("action") or {}
    if kind == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            return f"{len(buttons)} buttons; 1 to 3 are allowed"
        for b in buttons:
            if b.get("type") != "reply":
                return "button type must be reply"
            problem = problem or _text(b["reply"].get("title"), "button title", 20) or \
                _text(b["reply"].get("id"), "button id", 256)
        return problem or _unique([b["reply"]["title"] for b in buttons], "button titles") or \
            _unique([b["reply"]["id"] for b in buttons], "button ids")
    if kind == "list":
        sections = action.get("sections") or []
        rows = [r for s in sections for r in s.get("rows") or []]
        if not 1 <= len(sections) <= 10 or not 1 <= len(rows) <= 10:
            return f"{len(rows)} rows in {len(sections)} sections; 1 to 10 rows are allowed"
        problem = _text(action.get("button"), "list button", 20)
        for s in sections:
            problem = problem or _text(s.get("title"), "section title", 24,
                                       required=len(sections) > 1)
        for r in rows:
            problem = problem or _text(r.get("title"), "row title", 24) or \
                _text(r.get("id"), "row id", 200) or \
                _text(r.get("description"), "row description", 72, required=False)
        return problem or _unique([r["id"] for r in rows], "row ids")
    return f"interactive type {kind} is not supported here"


@dataclass(frozen=True)
class Approved:
    """One approved template in one language, as submitted (Meta's template API shape)."""

    name: str
    language: str
    category: str  # UTILITY | MARKETING
    body: str
    header: str = ""  # "" | IMAGE | DOCUMENT
    buttons: tuple[str, ...] = ()  # quick replies' texts
    params: int = field(default=0)

    @classmethod
    def from_meta(cls, data: dict[str, Any]) -> Approved:
        """From the JSON `umkm-bot templates` prints (one element)."""
        header, body, buttons = "", "", ()
        for component in data["components"]:
            if component["type"] == "HEADER":
                header = component["format"]
            elif component["type"] == "BODY":
                body = component["text"]
            elif component["type"] == "BUTTONS":
                buttons = tuple(b["text"] for b in component["buttons"])
        params = len(set(_PLACEHOLDER.findall(body)))
        return cls(data["name"], data["language"], data["category"], body, header, buttons,
                   params)


@dataclass(frozen=True)
class Filled:
    """A template message as the owner sees it."""

    template: Approved
    body: str
    choices: tuple[tuple[str, str], ...]  # (payload, text) of each quick reply
    media_id: str = ""


def check_template(payload: dict[str, Any], approved: dict[tuple[str, str], Approved]
                   ) -> tuple[int, str] | Filled:
    """The filled template, or (Meta's error code, why) for a template message refused."""
    body = payload["template"]
    found = approved.get((body["name"], body["language"].get("code", "")))
    if found is None:
        return 132001, "template name does not exist in the translation"
    components = {c.get("type"): c for c in body.get("components") or []
                  if c.get("type") != "button"}
    buttons = [c for c in body.get("components") or [] if c.get("type") == "button"]
    values = [p.get("text") for p in (components.get("body") or {}).get("parameters") or []]
    if len(values) != found.params:
        return 132000, (f"number of parameters ({len(values)}) does not match the expected "
                        f"number of params ({found.params})")
    for value in values:
        if not isinstance(value, str) or not value.strip() or "\n" in value or "\t" in value \
                or "     " in value:
            return 132018, "a parameter is empty or has new lines, tabs or 5 spaces in a row"
    media_id = ""
    header = components.get("header")
    if found.header:
        kind = found.header.lower()
        parameters = (header or {}).get("parameters") or [{}]
        media = parameters[0].get(kind) if parameters[0].get("type") == kind else None
        if not isinstance(media, dict) or not (media.get("id") or media.get("link")):
            return 132012, f"the {kind} header is missing"
        media_id = str(media.get("id") or "")
    elif header is not None:
        return 132012, "the template has no header"
    if len(buttons) > len(found.buttons):
        return 132000, "more button parameters than the template has buttons"
    payloads: dict[int, str] = {}
    for button in buttons:
        if button.get("sub_type") != "quick_reply":
            return 132012, "only quick reply buttons here"
        payloads[int(button.get("index", -1))] = (button.get("parameters") or [{}])[0].get(
            "payload", "")
    filled = _PLACEHOLDER.sub(lambda m: values[int(m.group(1)) - 1], found.body)
    if len(filled) > 1024:
        return 132005, "the filled body is longer than 1024 characters"
    choices = tuple((payloads.get(n, text), text) for n, text in enumerate(found.buttons))
    return Filled(found, filled, choices, media_id)
