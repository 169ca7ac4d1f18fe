"""Reply HTML to and from WhatsApp's markup: `*bold*`, `_italic_`, `~strike~`, ```` ```mono``` ````.

The core writes reply HTML (<b>, <i>, <s>, <code>, <a href>, user text escaped); WhatsApp shows
plain text with markers and no anchor text, so a link becomes "label: URL" (or the URL alone when
the label is the URL). WhatsApp only honours a marker next to a non-space character, so spaces
at the edges of a marked span are moved outside it. Pure functions, no I/O.
"""

from __future__ import annotations

import html
import re

_MARKERS = {"b": "*", "strong": "*", "i": "_", "em": "_", "s": "~", "del": "~", "strike": "~",
            "code": "```", "pre": "```"}
_PAIR = re.compile(r"<(b|strong|i|em|s|del|strike|code|pre)(?:\s[^>]*)?>(.*?)</\1\s*>",
                   re.DOTALL | re.IGNORECASE)
_LINK = re.compile(r"<a\s+href=\"([^\"]*)\"[^>]*>(.*?)</a\s*>", re.DOTALL | re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _marked(match: re.Match[str]) -> str:
    marker = _MARKERS[match.group(1).lower()]
    inner = match.group(2)
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()):]
    return f"{lead}{marker}{core}{marker}{trail}"


def _linked(match: re.Match[str]) -> str:
    url = html.unescape(match.group(1))
    label = html.unescape(_TAG.sub("", match.group(2))).strip()
    if not label or label == url:
        return html.escape(url, quote=False)
    return html.escape(f"{label}: {url}", quote=False)


def to_whatsapp(text: str) -> str:
    """Turn reply HTML into WhatsApp text with its markers; links as "label: URL"."""
    text = _LINK.sub(_linked, text)
    text = _BREAK.sub("\n", text)
    previous = None
    while previous != text:  # nested spans, innermost first
        previous = text
        text = _PAIR.sub(_marked, text)
    return html.unescape(_TAG.sub("", text))


_MONO_IN = re.compile(r"```(.+?)```", re.DOTALL)
_SPANS = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), "b"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), "i"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), "s"),
)


def from_whatsapp(text: str) -> str:
    """Turn a WhatsApp message's markers into reply HTML (everything else escaped)."""
    pieces = _MONO_IN.split(text)  # odd pieces are monospace: no markers inside
    out = []
    for number, piece in enumerate(pieces):
        escaped = html.escape(piece, quote=False)
        if number % 2:
            out.append(f"<code>{escaped}</code>")
            continue
        for pattern, tag in _SPANS:
            escaped = pattern.sub(lambda m, t=tag: f"<{t}>{m.group(1)}</{t}>", escaped)
        out.append(escaped)
    return "".join(out)
