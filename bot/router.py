"""Where features register what they handle: commands, buttons, menus, hooks, renderers.

Each feature module has `register(router)`; the program lists its features in `bot/cli.py` and the
core registers them in that order (which is also the order of their menu entries).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bot.buttons import SEP, ButtonData
from bot.channel import Button, Reply
from bot.eligibility import Result
from bot.i18n import Translator
from bot.storage.outbox import Item

if TYPE_CHECKING:
    from bot.context import Context
    from bot.core import Core

Handler = Callable[["Context", str], Awaitable[None]]
P = TypeVar("P", bound=ButtonData)
MenuEntry = Callable[["Context"], Awaitable[list[Button]]]
# Turns a claimed outbox row into the message for its owner (None: skip it).
OutboxRenderer = Callable[["Core", Item, Translator], Awaitable[Reply | None]]
Hook = Callable[["Core"], Awaitable[None]]
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.DOTALL)


def parse_command(text: str) -> tuple[str, str] | None:
    """Split "/Start@bot payload" into ("start", "payload"); None when it is not a command."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()


def keyword_of(text: str) -> str:
    """A message as keywords are matched: lower case, single spaces, no final "." or "!"."""
    return " ".join(text.lower().split()).rstrip(".!").strip()


class Feature(Protocol):
    """A feature module: it registers what it handles on the router, and imports no other."""

    def register(self, router: Router) -> None:
        """Register commands, buttons, hooks and renderers."""


@dataclass(frozen=True)
class Resume:
    """How to show where the owner is: after an intro, greeting a returning owner, in place."""

    intro: str = ""
    welcome_back: bool = False
    in_place: bool = False


@dataclass(frozen=True)
class Command:
    """A command with its aliases, handler and description for the command list."""

    names: tuple[str, ...]
    handler: Handler
    description: str
    staff: bool = False
    listed: bool = True
    agreed: bool = False  # only for owners who agreed to the privacy notice


@dataclass(frozen=True)
class ButtonHandler:
    """What answers the presses of one kind of button, and who may press them."""

    kind: type[ButtonData]
    handler: Callable[[Context, Any], Awaitable[None]]  # gets the unpacked `kind`
    staff: bool = False
    agreed: bool = False


@dataclass
class Router:
    """Where features register what they handle."""

    commands: dict[str, Command] = field(default_factory=dict)
    ordered: list[Command] = field(default_factory=list)
    buttons: dict[str, ButtonHandler] = field(default_factory=dict)  # by prefix, legacy too
    menu: list[MenuEntry] = field(default_factory=list)
    staff_menu: list[MenuEntry] = field(default_factory=list)
    flows: dict[str, Handler] = field(default_factory=dict)  # staff conversations by name
    # Whole messages that mean the same anywhere outside a staff conversation ("STOP"): the
    # handler gets the word as typed, normalised (`keyword_of`).
    keywords: dict[str, Handler] = field(default_factory=dict)
    # Hooks for features that build on others.
    result_buttons: list[MenuEntry] = field(default_factory=list)  # under a result
    data_sections: list[Callable[[Context], Awaitable[list[str]]]] = field(
        default_factory=list)  # extra lines of /datasaya
    before_delete: list[Callable[[Context], Awaitable[object]]] = field(
        default_factory=list)  # run before an owner is erased (e.g. free a seat)
    # Lines for the summary when sending these answers would have a consequence (a seat that
    # would be freed); any line makes the summary ask for that consequence to be confirmed.
    summary_notes: list[Callable[[Context, Result], Awaitable[list[str]]]] = field(
        default_factory=list)
    # Run after a result is stored; lines they return go into the result (e.g. a seat freed).
    after_result: list[Callable[[Context, Result], Awaitable[list[str]]]] = field(
        default_factory=list)
    renderers: dict[str, OutboxRenderer] = field(default_factory=dict)  # outbox kinds
    on_start: list[Hook] = field(default_factory=list)  # after the sender and scheduler start
    on_stop: list[Hook] = field(default_factory=list)
    fallback: Handler | None = None
    # Set by the features that own them; the core and other features reach them through
    # `Context` (ask_consent, resume), so features need not import each other.
    consent_prompt: Handler | None = None  # the privacy notice with its agree buttons
    resumer: Callable[[Context, Resume], Awaitable[None]] | None = None  # where the owner is

    def command(self, names: Iterable[str], handler: Handler, description: str, *,
                staff: bool = False, listed: bool = True, agreed: bool = False) -> None:
        """Handle `/name args` for each of `names` (the first one is shown in lists).

        `agreed`: only for owners who agreed to the privacy notice; anyone else is shown it.
        """
        cmd = Command(tuple(names), handler, description, staff, listed, agreed)
        for name in cmd.names:
            if name in self.commands:
                raise ValueError(f"command /{name} registered twice")
            self.commands[name] = cmd
        self.ordered.append(cmd)

    def button(self, kind: type[P], handler: Callable[[Context, P], Awaitable[None]], *,
               staff: bool = False, agreed: bool = False) -> None:
        """Handle the presses of `kind`'s buttons, with its data and the legacy data older
        versions put on them; `handler` gets the unpacked `kind` (`agreed`: as for commands)."""
        if not (isinstance(kind, type) and issubclass(kind, ButtonData)):
            raise TypeError(f"a button is registered with its ButtonData class, not {kind!r}")
        kind.fields()  # a field that cannot be packed stops start-up here
        entry = ButtonHandler(kind, handler, staff, agreed)
        buttons = {**self.buttons, **dict.fromkeys(kind.prefixes(), entry)}
        for prefix in kind.prefixes():
            if prefix in self.buttons:
                raise ValueError(f"button prefix {prefix!r} registered twice")
        for key, other in buttons.items():
            # New data "word:…" must not read as another kind's legacy "word:action:…".
            head = buttons.get(key.split(SEP)[0])
            if SEP in key and head is not None and head.kind is not other.kind and \
                    head.kind.prefix == key.split(SEP)[0]:
                raise ValueError(f"legacy prefix {key!r} starts with {head.kind.__name__}'s")
        self.buttons = buttons

    def button_for(self, data: str) -> ButtonHandler | None:
        """What answers a press of `data`: the kind whose prefix it starts with (the longest
        one, so "stses:flow:yes" is the flow's answer and "stses:show:3" a session's)."""
        parts = data.split(SEP, 2)
        for words in range(min(len(parts), 2), 0, -1):
            entry = self.buttons.get(SEP.join(parts[:words]))
            if entry is not None:
                return entry
        return None

    def menu_entry(self, entry: MenuEntry) -> None:
        """Add buttons to the main menu (entries are asked in registration order)."""
        self.menu.append(entry)

    def staff_menu_entry(self, entry: MenuEntry) -> None:
        """Add buttons to the staff menu (/staf)."""
        self.staff_menu.append(entry)

    def flow(self, name: str, handler: Handler) -> None:
        """A staff conversation: while it is in progress, typed input goes to `handler`."""
        if name in self.flows:
            raise ValueError(f"flow {name!r} registered twice")
        self.flows[name] = handler

    def keyword(self, words: Iterable[str], handler: Handler) -> None:
        """Handle a message that is exactly one of `words` (any case, spacing, final "." or
        "!"), wherever the owner is."""
        for word in words:
            key = keyword_of(word)
            if key in self.keywords:
                raise ValueError(f"keyword {word!r} registered twice")
            self.keywords[key] = handler

    def renderer(self, kind: str, render: OutboxRenderer) -> None:
        """Render outbox rows of `kind` when the sender sends them."""
        if kind in self.renderers:
            raise ValueError(f"outbox kind {kind!r} registered twice")
        self.renderers[kind] = render
