"""Fuzzing the whole bot: random updates from several owners at once, through the real
python-telegram-bot Application and handlers, against the fake Bot API.

Hypothesis's state machine sends batches of updates (any unicode text, every registered command
with random arguments, staff commands from non-staff, buttons the bot really sent, stale ones,
other owners' buttons, every registered prefix with forged suffixes, and every message kind),
then checks after each batch:

- no exception escapes: nothing was logged at ERROR (the error handler logs every failure), and
  every update was handled;
- every update gets a bounded number of replies (and a private message gets at least one);
- every Bot API call is one Telegram would accept: only the formatting tags it knows, balanced,
  every `<` and `&` escaped, callback data of 1-64 bytes;
- every stored answer passes its question's validator, comes from what that owner sent, and
  applies (its question's condition holds);
- a batch without staff changes nothing of owners who were not in it, and non-staff never
  create staff conversations or audit entries.

Features are not named: commands and button prefixes are taken from `core.router`, so features
added later are fuzzed too. `FUZZ_EXAMPLES` sets the number of examples (`make fuzz` runs long).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bot import engine
from bot.channel import Inbound, InboundKind, Notice, Reply
from bot.cli import FEATURES
from bot.config import Config
from bot.core import Core
from bot.i18n import Catalogs
from bot.questionnaire import Kind as QKind
from bot.questions import QUESTIONNAIRE
from bot.storage import Database
from bot.validators import VALIDATORS, Valid
from handlers.telegram import TelegramChannel
from tests.support.config import STAFF_ID
from tests.support.fakebotapi import FakeBotAPI, FakeUser, Request
from tests.support.harness import telegram_config

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
STEPS = 40
MAX_REPLIES = 6  # outbound items the core may return for one update
OWNERS = 3
SENDS = ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
# Refusals that are a normal part of life: editing a message that did not change, or a message
# that a forged button pointed at, or writing to an owner who blocked the bot.
BENIGN = re.compile(r"message is not modified|message to edit not found|no text in the message|"
                    r"blocked by the user")
TAGS = {"b", "i", "a", "code", "u", "s", "pre"}
ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
TAG = re.compile(r"<(/?)([a-zA-Z-]+)((?:\s+[a-z]+=\"[^\"<>]*\")*)\s*>")


class Errors(logging.Handler):
    """Collects every record at ERROR or above."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)


def html_problems(text: str) -> list[str]:
    """What Telegram's HTML parser would refuse in `text`."""
    problems, stack, at = [], [], 0
    for match in TAG.finditer(text):
        problems += _text_problems(text[at:match.start()])
        closing, name = match.group(1), match.group(2).lower()
        if name not in TAGS:
            problems.append(f"unknown tag <{name}>")
        elif closing:
            if not stack or stack.pop() != name:
                problems.append(f"unbalanced </{name}>")
        else:
            stack.append(name)
        at = match.end()
    problems += _text_problems(text[at:])
    return problems + [f"unclosed <{name}>" for name in stack]


def _text_problems(part: str) -> list[str]:
    found = [f"bare {ch!r}" for ch in "<>" if ch in part]
    for amp in re.finditer("&", part):
        if not ENTITY.match(part, amp.start()):
            found.append("bare '&'")
    return found


@dataclass(frozen=True)
class Action:
    """One update to send: who, what kind, and the drawn details."""

    who: int  # index into the machine's people (0 is the staff member)
    kind: str
    text: str = ""
    number: int = 0
    flag: bool = False


TEXTS = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["Budi Santoso", "Batik Sekar", "1234567890123", "1234 5678 90123",
                     "500 potong", "2,5 kuintal", "20 kodi", "0812 3456 7890", "+6281234567890",
                     "Camilan", "1", "2", "3", "ya", "Yes", "Batik", "<b>x</b> & y", "x" * 5000,
                     "\u200b", " ", "/", "&amp;", "Selesai", "Done"]),
)
# Typed answers each validator accepts, so that owners also get deep into the questionnaire.
VALID = {
    "person_name": ["Budi Santoso", "Siti Aminah", "Ahmad"],
    "business_name": ["Batik Sekar", "Ikan Asap Bu Siti"],
    "short_text": ["Camilan", "Kerajinan bambu"],
    "nib": ["1234567890123", "1234 5678 90123"],
    "capacity": ["500 potong", "2,5 kuintal", "20 kodi", "30 kg"],
    "phone": ["0812 3456 7890", "+62 812 3456 7890"],
}
# Half plausible answers, so that owners also reach the summary and the result; half anything.
ACTIONS = st.one_of(st.builds(Action, who=st.sampled_from([1, 1, 1, 2, 3]), kind=st.just("answer"),
                              number=st.integers(0, 10 ** 6)), st.one_of(
    st.builds(Action, who=st.integers(0, OWNERS), kind=st.just("text"), text=TEXTS),
    st.builds(Action, who=st.integers(0, OWNERS), kind=st.just("command"),
              text=st.one_of(st.just(""), st.text(max_size=70)), number=st.integers(0, 10 ** 6),
              flag=st.booleans()),
    st.builds(Action, who=st.integers(0, OWNERS), kind=st.just("tap"),
              number=st.integers(0, 10 ** 6), flag=st.booleans()),
    st.builds(Action, who=st.integers(0, OWNERS), kind=st.just("tap"),
              number=st.integers(0, 10 ** 6), flag=st.booleans()),  # tapping is most common
    st.builds(Action, who=st.integers(0, OWNERS), kind=st.just("tap_other"),
              number=st.integers(0, 10 ** 6)),
    st.builds(Action, who=st.integers(0, OWNERS), kind=st.just("forge"),
              text=st.text(max_size=40), number=st.integers(0, 10 ** 6), flag=st.booleans()),
    st.builds(Action, who=st.integers(0, OWNERS), kind=st.sampled_from(
        ["contact", "location", "photo", "sticker", "voice", "video", "document", "edited",
         "group", "block", "unblock"]), text=TEXTS, flag=st.booleans()),
))


class Harness:
    """One event loop and the shared catalogs for every example."""

    def __init__(self, root: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.root = root
        self.catalogs: Catalogs | None = None
        self.examples = self.updates = self.results = self.deepest = 0

    def run(self, coroutine: Any) -> Any:
        """Run a coroutine to the end, bounded in time."""
        return self.loop.run_until_complete(asyncio.wait_for(coroutine, 60))

    def close(self) -> None:
        """Stop the loop."""
        self.loop.close()


HARNESS: Harness | None = None


SEEDED_SESSION = """
[[sessions]]
key = "fuzz"
title = "Pelatihan Ekspor"
starts_at = "2031-10-06 09:00"
place = "Aula"
capacity = 1
"""
# What one owner's action may change for another: a waiting owner moves up (status, place in
# line, when the seat was given, last change) and is told so (a "seat" message).
MOVES_UP = ("status", "position", "seated_at", "updated_at")


def unaffected(shot: dict[str, Any] | None, columns: list[str]) -> dict[str, Any] | None:
    """An owner's snapshot without what a waiting-list promotion may change."""
    if shot is None:
        return None
    keep = [i for i, c in enumerate(columns) if c not in MOVES_UP]
    return {
        **shot,
        "registrations": [tuple(row[i] for i in keep) for row in shot.get("registrations", [])],
        "outbox": [item for item in shot.get("outbox", []) if item[0] != "seat"],
    }


def moved_up_only(before: dict[str, Any] | None, after: dict[str, Any] | None,
                  columns: list[str]) -> bool:
    """Every registration of another owner stayed, or went from waiting to registered."""
    status, position = columns.index("status"), columns.index("position")
    old = {row[0]: row for row in (before or {}).get("registrations", [])}
    for row in (after or {}).get("registrations", []):
        was = old.get(row[0])
        if was is None or (was[status] == row[status] and (
            row[position] is None or was[position] is None or row[position] <= was[position]
        )):
            continue
        if not (was[status] == "waiting" and row[status] == "registered"):
            return False
    return True


class BotMachine(RuleBasedStateMachine):
    """Several people talking to one fresh bot at once."""

    def __init__(self) -> None:
        super().__init__()
        assert HARNESS is not None
        self.h = HARNESS
        self.h.examples += 1
        self.dir = Path(tempfile.mkdtemp(dir=self.h.root))
        self.fake = FakeBotAPI()
        self.h.run(self.fake.start())
        # One seat, so sign-ups fill it, queue on the waiting list and move up on cancellations.
        self.config: Config = telegram_config(self.dir, self.fake, SEEDED_SESSION)
        self.errors = Errors()
        logging.getLogger().addHandler(self.errors)
        self.handled: list[tuple[Inbound, list[Any]]] = []
        self.people: list[FakeUser] = []
        self.sent_texts: dict[int, list[str]] = {}
        self.h.run(self._start())

    async def _start(self) -> None:
        if self.h.catalogs is None:
            self.h.catalogs = Catalogs(self.config.time_zone)
        self.db = await Database.open(self.config.database)
        self.core = Core(self.config, self.db, self.h.catalogs, FEATURES)
        self.channel = TelegramChannel(self.config, self.core, poll_timeout=1, poll_interval=0)
        original = self.core.handle

        async def handle(inbound: Inbound) -> list[Any]:
            replies = await original(inbound)
            self.handled.append((inbound, replies))
            return replies

        self.core.handle = handle  # type: ignore[method-assign]
        self.fake.track(self.channel.application)
        await self.channel.start()
        await self.core.start([self.channel])

    def teardown(self) -> None:
        """Stop this example's bot and forget its database."""
        conn = sqlite3.connect(self.config.database)
        try:
            deepest = conn.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM answers"
                                   " GROUP BY owner_id)").fetchone()[0] or 0
            finished = conn.execute(
                "SELECT count(*) FROM owners WHERE finished_at IS NOT NULL").fetchone()[0]
        finally:
            conn.close()
        self.h.deepest = max(self.h.deepest, deepest)
        self.h.results += finished

        async def stop() -> None:
            await self.core.stop()
            await self.channel.stop()
            await self.db.close()
            await self.fake.stop()

        self.h.run(stop())
        logging.getLogger().removeHandler(self.errors)

    @initialize(codes=st.lists(st.sampled_from([None, "id", "en", "jv", "fr", "en-GB"]),
                               min_size=OWNERS, max_size=OWNERS))
    def meet(self, codes: list[str | None]) -> None:
        """The staff member (person 0) and the owners, with their clients' languages."""
        base = 10_000 * self.h.examples
        self.people = [self.fake.user(STAFF_ID, language_code="id")]
        self.people += [self.fake.user(base + n, language_code=code)
                        for n, code in enumerate(codes, start=1)]
        self.sent_texts = {p.id: [] for p in self.people}

    # ---------------------------------------------------------------- sending

    def _buttons(self, chat_id: int | None = None) -> list[tuple[int, str]]:
        """(message id, callback data) of every button the bot sent (to one chat)."""
        found = []
        for request in self.fake.requests:
            if request.method not in SENDS or (chat_id is not None and request.chat_id != chat_id):
                continue
            message_id = request.params.get("message_id") or (
                request.result or {}).get("message_id") if isinstance(request.result, dict) \
                else request.params.get("message_id")
            found += [(int(message_id or 1), data) for row in request.buttons
                      for _label, data in row if data and ":" in data]
        return found

    def _push(self, action: Action) -> int:
        person = self.people[action.who]
        router = self.core.router
        kind = action.kind
        if kind == "answer":
            return self._answer(person, action.number)
        if kind == "text":
            if not action.text.startswith("/"):
                self.sent_texts[person.id].append(action.text)
            return person.text(action.text)
        if kind == "command":
            names = sorted(router.commands)
            name = names[action.number % len(names)]
            name = name.upper() if action.number % 7 == 0 else name
            suffix = "@umkm_test_bot" if action.flag else ""
            return person.command(f"/{name}{suffix} {action.text}".strip())
        if kind in ("tap", "tap_other"):
            others = [p.id for p in self.people if p.id != person.id]
            chat = person.id if kind == "tap" else others[action.number % len(others)]
            buttons = self._buttons(chat)
            if kind == "tap" and action.flag and buttons:  # the newest keyboard, most often
                newest = max(m for m, _ in buttons)
                buttons = [b for b in buttons if b[0] == newest]
            if not buttons:
                return person.press("menu:menu", action.number % 50 + 1, check=False)
            message_id, data = buttons[action.number % len(buttons)]
            if kind == "tap_other":
                message_id = action.number % 50 + 1
            return person.press(data, message_id, check=False)
        if kind == "forge":
            prefixes = sorted(router.buttons)
            prefix = prefixes[action.number % len(prefixes)]
            data = f"{prefix}:{action.text}" if action.flag else action.text or prefix
            data = data.encode()[:64].decode(errors="ignore") or "x"
            return person.press(data, action.number % 50 + 1, check=False)
        if kind == "contact":
            if action.flag:
                self.sent_texts[person.id].append(action.text)
            return person.contact(action.text or "+6281234567890", own=action.flag)
        if kind == "location":
            return person.location(-6.89, 109.67)
        if kind == "photo":
            return person.photo(caption=action.text or None)
        if kind == "document":
            return person.document(caption=action.text or None)
        if kind == "edited":
            return person.edited(action.text or "x")
        if kind == "group":
            return person.group_text(action.text or "/start")
        if kind in ("block", "unblock"):
            return person.my_chat_member("kicked" if kind == "block" else "member")
        return getattr(person, kind)()

    def _answer(self, person: FakeUser, number: int) -> int:
        """A plausible answer to what the owner is being asked now (as stored)."""
        conn = sqlite3.connect(self.config.database)
        try:
            row = conn.execute("SELECT id, consent_at, cursor, draft, draft_for, finished_at"
                               " FROM owners WHERE external_id = ?", (str(person.id),)).fetchone()
            answers = {q: json.loads(v) for q, v in conn.execute(
                "SELECT question_id, value FROM answers WHERE owner_id = ?",
                (row[0] if row else -1,))}
        finally:
            conn.close()
        keyboards = self._buttons(person.id)
        message_id = max((m for m, _ in keyboards), default=1)
        if row is None:
            return person.command("/start")
        if row[1] is None:
            return person.press("consent:yes", message_id, check=False)
        if row[5] is not None and row[2] is None:
            return person.command(("/ubah", "/menu", "/datasaya", "/ulang")[number % 4])
        form = engine.Form(answers, row[2], tuple(json.loads(row[3] or "[]")), row[4])
        shown = engine.view(QUESTIONNAIRE, form)
        if isinstance(shown, engine.Review):
            return person.press("summary:edit" if number % 5 == 1 else "summary:submit", message_id,
                                check=False)
        question = shown.question
        values = [o.value for o in question.options]
        if question.kind == QKind.CHOICE:
            data = f"ans:{question.id}:{values[number % len(values)]}"
        elif question.kind == QKind.MULTI:
            data = f"done:{question.id}" if shown.draft and number % 2 == 0 else \
                f"tick:{question.id}:{values[number % len(values)]}"
        else:
            samples = VALID[question.validator]
            text = samples[number % len(samples)]
            self.sent_texts[person.id].append(text)
            return person.text(text)
        return person.press(data, message_id, check=False)

    @rule(batch=st.lists(ACTIONS, min_size=1, max_size=4))
    def send(self, batch: list[Action]) -> None:
        """Several people act at once; wait until every update was handled, then check."""
        self.h.updates += len(batch)
        staff_acted = any(action.who == 0 for action in batch)
        before = self._snapshot()
        first_request = len(self.fake.requests)
        self.handled.clear()
        update_ids = [self._push(action) for action in batch]
        self.h.run(self._handled(update_ids))
        acted = {str(self.people[action.who].id) for action in batch}
        self._check_replies(len(batch))
        self._check_requests(self.fake.requests[first_request:])
        if not staff_acted:
            after = self._snapshot()
            columns = self._registration_columns()
            for owner in set(before) | set(after):
                if owner not in acted:
                    assert unaffected(before.get(owner), columns) == unaffected(
                        after.get(owner), columns), (
                        f"a batch by {sorted(acted)} changed the data of {owner}")
                    assert moved_up_only(before.get(owner), after.get(owner), columns), (
                        f"a batch by {sorted(acted)} changed the sign-up of {owner}")

    def _registration_columns(self) -> list[str]:
        conn = sqlite3.connect(self.config.database)
        try:
            return [c[1] for c in conn.execute("PRAGMA table_info(registrations)")]
        finally:
            conn.close()

    async def _handled(self, update_ids: list[int]) -> None:
        await asyncio.gather(*(self.fake.process(u, timeout=10) for u in update_ids))

    # ---------------------------------------------------------------- checks

    def _check_replies(self, count: int) -> None:
        assert len(self.handled) <= count
        for inbound, replies in self.handled:
            assert len(replies) <= MAX_REPLIES, (inbound.kind, replies)
            if inbound.private and inbound.kind not in (InboundKind.BLOCKED, InboundKind.UNBLOCKED):
                assert replies, f"no answer to a {inbound.kind}"
            for reply in replies:
                if isinstance(reply, Reply) and reply.text:
                    assert not html_problems(reply.text), (html_problems(reply.text), reply.text)
                if isinstance(reply, Notice):
                    assert reply.text.strip()
                for row in getattr(reply, "buttons", ()):
                    for button in row:
                        assert button.url or 1 <= len(button.data.encode()) <= 64, button

    def _check_requests(self, requests: list[Request]) -> None:
        for request in requests:
            if request.status != 200:
                description = json.dumps(request.result) if request.result else ""
                assert request.method in ("editMessageText", "editMessageReplyMarkup") or \
                    request.chat_id in self.fake.blocked, request.describe()
                assert description == "" or BENIGN.search(description), request.describe()
            if request.method in SENDS and request.status == 200 and request.text:
                assert not html_problems(request.text), request.describe()

    def _snapshot(self) -> dict[str, Any]:
        """Everything stored about each person, by their channel id."""
        conn = sqlite3.connect(self.config.database)
        try:
            owners = {row[0]: row for row in conn.execute("SELECT * FROM owners")}
            shot: dict[str, Any] = {str(row[2]): {"owner": row} for row in owners.values()}
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
                if "owner_id" not in columns or table == "outbox":
                    continue
                for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                    owner = owners.get(row[columns.index("owner_id")])
                    if owner is not None:
                        shot[str(owner[2])].setdefault(table, []).append(row)
            # What is queued for an owner (the sender changes only its delivery status).
            for owner_id, kind, ref in conn.execute(
                    "SELECT owner_id, kind, ref FROM outbox ORDER BY id"):
                if owner_id in owners:
                    shot[str(owners[owner_id][2])].setdefault("outbox", []).append((kind, ref))
            staff_rows = conn.execute("SELECT user_id FROM staff_flows").fetchall()
            audit = conn.execute("SELECT actor FROM audit_log").fetchall()
        finally:
            conn.close()
        assert {r[0] for r in staff_rows} <= {str(STAFF_ID)}, "a non-staff flow was stored"
        assert {r[0] for r in audit} <= {str(STAFF_ID)}, "a non-staff action was audited"
        return shot

    @invariant()
    def nothing_failed(self) -> None:
        """No exception reached the error handler or the event loop."""
        assert not self.errors.records, [r.getMessage() for r in self.errors.records]

    @invariant()
    def stored_answers_are_valid(self) -> None:
        """Every stored answer is one its question accepts, from what that owner sent."""
        if not self.people:
            return
        conn = sqlite3.connect(self.config.database)
        try:
            rows = conn.execute(
                "SELECT o.external_id, a.question_id, a.value, o.cursor, o.draft, o.draft_for"
                " FROM answers a JOIN owners o ON o.id = a.owner_id").fetchall()
            cursors = conn.execute(
                "SELECT cursor, draft, draft_for FROM owners").fetchall()
        finally:
            conn.close()
        by_owner: dict[str, dict[str, Any]] = {}
        for external_id, question_id, value, _c, _d, _f in rows:
            by_owner.setdefault(external_id, {})[question_id] = json.loads(value)
        for external_id, answers in by_owner.items():
            relevant = {q.id for q in QUESTIONNAIRE.relevant(answers)}
            for question_id, value in answers.items():
                question = QUESTIONNAIRE.get(question_id)
                assert question is not None and question_id in relevant, question_id
                options = {o.value for o in question.options}
                if question.kind == QKind.CHOICE:
                    assert value in options
                elif question.kind == QKind.MULTI:
                    assert value and set(value) <= options and len(set(value)) == len(value)
                    assert len(value) == 1 or not set(value) & set(question.exclusive)
                else:
                    allowed = [VALIDATORS[question.validator](text)
                               for text in self.sent_texts.get(int(external_id), [])]
                    assert any(isinstance(outcome, Valid) and outcome.value == value
                               for outcome in allowed), (question_id, value)
        for cursor, draft, draft_for in cursors:
            assert cursor is None or QUESTIONNAIRE.get(cursor) is not None
            if draft:
                question = QUESTIONNAIRE.get(draft_for)
                assert question is not None and question.kind == QKind.MULTI
                assert set(json.loads(draft)) <= {o.value for o in question.options}


def test_random_updates_from_several_owners_break_nothing(tmp_path):
    global HARNESS
    HARNESS = Harness(tmp_path)
    try:
        BotMachine.TestCase.settings = settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
            suppress_health_check=list(HealthCheck))
        BotMachine.TestCase().runTest()
        print(f"\nfuzz: {HARNESS.examples} examples, {HARNESS.updates} updates, "
              f"{HARNESS.results} questionnaires submitted, deepest owner "
              f"{HARNESS.deepest} answers")
    finally:
        HARNESS.close()
        HARNESS = None
