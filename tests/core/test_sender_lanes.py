"""The one sender with a lane per channel: each at its own rate at the same time, a pause of one
never stopping the other, a pair limit delaying only that chat, and on a windowed channel a
message failing as outside the window sent again as its template, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channel import Capabilities, Reply, TemplateMessage
from bot.config import BroadcastConfig, ChannelRate
from bot.delivery import OutsideWindow, RetryLater, StoppedMarketing
from bot.sender import Sender
from bot.storage import Database
from bot.storage.outbox import Item
from tests.support.sending import eventually, settled
from tests.support.transport import Recorder, hello

NOW = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)


class WindowRecorder(Recorder):
    """A recording transport with a messaging window: it takes templates too."""

    name = "whatsapp"
    capabilities = Capabilities(edit=False, popups=False, reply_buttons=3, list_rows=10,
                                label_chars=20, text_chars=4096, markup="whatsapp",
                                knows_phone=True, contact_button=False, window_hours=24)

    def __init__(self) -> None:
        super().__init__()
        self.templates: list[tuple[str, TemplateMessage]] = []

    async def deliver_template(self, chat_id: str, message: TemplateMessage) -> str | None:
        """Record the template."""
        self.templates.append((chat_id, message))
        return f"t{len(self.templates)}"


class Always:
    """An outreach that sends the normal message, or the template once it was refused."""

    def __init__(self) -> None:
        self.released: list[int] = []

    async def start(self) -> None:
        """Nothing to read."""

    async def prepare(self, item: Item, reply: Reply):
        """The template only when forced."""
        if item.forced_template:
            return TemplateMessage("t", "id", ("x",))
        return reply

    def release(self, item: Item) -> None:
        """Note a place given back."""
        self.released.append(item.id)

    def sent(self, item: Item) -> None:
        """Nothing to note."""


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "s.sqlite3")
    yield database
    await database.close()


async def owners(db, count: int, channel: str, first: int = 1) -> list[int]:
    ids = []
    for n in range(first, first + count):
        ids.append((await db.owners.create(channel, str(n), str(n), "id", None, NOW)).id)
    return ids


def config(telegram: float, whatsapp: float, interval: float = 0.0) -> BroadcastConfig:
    return BroadcastConfig(rate=telegram, per_chat_interval=interval, max_attempts=3,
                           channels={"whatsapp": ChannelRate(whatsapp, interval)})


async def run(sender: Sender, timeout: float = 15.0) -> None:
    await sender.start()
    sender.wake()
    try:
        await settled(sender.db, timeout=timeout)
    finally:
        await sender.stop()


def busiest_second(times: list[float]) -> int:
    return max(sum(1 for u in times if t <= u < t + 1) for t in times)


async def test_each_channel_sends_at_its_own_rate_at_the_same_time(db):
    await owners(db, 90, "telegram")
    await owners(db, 180, "whatsapp", first=1000)
    await db.outbox.enqueue_owners("broadcast", "b", {}, "SELECT id FROM owners", (), NOW)
    telegram, whatsapp = Recorder(), WindowRecorder()
    sender = Sender(db, {"telegram": telegram, "whatsapp": whatsapp}, hello, config(60, 120),
                    lambda: NOW, outreach=Always())
    await run(sender)
    assert len(telegram.sent) == 90 and len(whatsapp.sent) == 180
    assert busiest_second(telegram.times()) <= 60 and busiest_second(whatsapp.times()) <= 120
    # Side by side, not one after the other: each channel's sending began before the other's
    # ended (the rates achieved are the benchmark's, bench/bench_wa_broadcast.py).
    assert min(whatsapp.times()) < max(telegram.times())
    assert min(telegram.times()) < max(whatsapp.times())
    rows = await db.all("SELECT channel, via, message_id FROM outbox ORDER BY id")
    assert {(r[0], r[1]) for r in rows} == {("telegram", None), ("whatsapp", "text")}
    assert all(r[2] for r in rows if r[0] == "whatsapp")  # noted, for the status webhooks


async def test_a_pause_of_one_channel_does_not_stop_the_other(db):
    await owners(db, 5, "telegram")
    await owners(db, 5, "whatsapp", first=1000)
    await db.outbox.enqueue_owners("broadcast", "b", {}, "SELECT id FROM owners", (), NOW)
    telegram, whatsapp = Recorder(), WindowRecorder()
    telegram.failures["1"] = [RetryLater(0.5)]
    sender = Sender(db, {"telegram": telegram, "whatsapp": whatsapp}, hello, config(100, 100),
                    lambda: datetime.now(UTC), outreach=Always())
    await run(sender)
    [(_chat, _error, paused_at)] = telegram.failed
    assert len(whatsapp.sent) == 5 and max(whatsapp.times()) < paused_at + 0.5
    assert min(telegram.times()) >= paused_at + 0.5 and len(telegram.sent) == 5


async def test_a_pair_limit_delays_only_that_chat(db):
    await owners(db, 4, "whatsapp", first=1000)
    await db.outbox.enqueue_owners("broadcast", "b", {}, "SELECT id FROM owners", (), NOW)
    whatsapp = WindowRecorder()
    whatsapp.failures["1000"] = [RetryLater(1.0, per_chat=True)]
    sender = Sender(db, {"whatsapp": whatsapp}, hello, config(100, 100),
                    lambda: datetime.now(UTC), outreach=Always())
    await run(sender)
    [(_chat, _error, limited_at)] = whatsapp.failed
    others = [d.at for d in whatsapp.sent if d.chat_id != "1000"]
    assert len(others) == 3 and max(others) < limited_at + 0.5  # no pause for them
    (late,) = [d.at for d in whatsapp.sent if d.chat_id == "1000"]
    assert late > limited_at  # its row waited (to the second the outbox keeps), then went
    assert sender.paused_until == 0.0
    assert await db.outbox.counts("broadcast", "b") == {"sent": 4, "resent": 0}


async def test_outside_the_window_the_message_goes_again_as_its_template_once(db):
    first, second = await owners(db, 2, "whatsapp", first=1000)
    await db.outbox.enqueue_owners("notice", "n", {}, "SELECT id FROM owners", (), NOW)
    whatsapp = WindowRecorder()
    whatsapp.failures["1000"] = [OutsideWindow("131047")]
    outreach = Always()
    sender = Sender(db, {"whatsapp": whatsapp}, hello, config(100, 100), lambda: NOW,
                    outreach=outreach)
    await run(sender)
    assert [chat for chat, _m in whatsapp.templates] == ["1000"]
    assert [d.chat_id for d in whatsapp.sent] == ["1001"]
    rows = {r[0]: tuple(r[1:]) for r in await db.all(
        "SELECT owner_id, status, via, forced_template FROM outbox")}
    assert rows == {first: ("sent", "template", 1), second: ("sent", "text", 0)}


async def test_an_owner_who_stopped_marketing_is_marked_and_their_announcements_withdrawn(db):
    (owner,) = await owners(db, 1, "whatsapp", first=1000)
    await db.outbox.enqueue(owner, "broadcast", "1", {}, NOW)
    await db.outbox.enqueue(owner, "broadcast", "2", {}, NOW, not_before=NOW.replace(year=2030))
    whatsapp = WindowRecorder()
    whatsapp.failures["1000"] = [StoppedMarketing("131050")]
    sender = Sender(db, {"whatsapp": whatsapp}, hello, config(100, 100), lambda: NOW,
                    outreach=Always())
    await sender.start()
    sender.wake()
    try:
        async def withdrawn() -> bool:
            rows = await db.all("SELECT ref, status FROM outbox ORDER BY ref")
            return [tuple(r) for r in rows] == [("1", "failed"), ("2", "cancelled")]
        await eventually(withdrawn, what="the failure noted and the next one withdrawn")
    finally:
        await sender.stop()
    assert (await db.owners.get(owner)).marketing_stopped_at is not None
