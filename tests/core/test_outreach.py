"""The decision made for each message on a channel with a window, at send time: the normal
message inside the 24-hour window, the kind's template outside it (filled from the database as
it is now), held when there is no template or the day's reach is used up."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.channel import Reply, TemplateMessage
from bot.outreach import WINDOW, DailyReach, Held, Outreach, inside_window
from bot.storage import to_db
from bot.storage.outbox import WAITING_DAILY_LIMIT, WAITING_NO_TEMPLATE, Item
from bot.templates import Templates
from tests.support.sessionkit import START, eligible, session

REPLY = Reply("the normal message")


def item(kind: str, payload: dict, *, owner_id: int = 1, chat: str = "wa-1",
         last_inbound=None, language: str = "id", ref: str = "r", forced=False) -> Item:
    return Item(id=1, owner_id=owner_id, channel="whatsapp", chat_id=chat, kind=kind, ref=ref,
                payload=payload, attempts=0, resent=False, language=language,
                last_inbound=last_inbound, forced_template=forced)


def test_the_window_is_a_day_from_the_last_message_less_a_margin(clock):
    now = clock()
    assert inside_window(now - timedelta(hours=23, minutes=54), now)
    assert not inside_window(now - timedelta(hours=23, minutes=56), now)
    assert not inside_window(None, now)


def test_the_daily_reach_counts_people_keeps_a_reserve_and_frees_places_after_a_day(clock):
    now = clock()
    reach = DailyReach(limit=3, reserve=1)
    assert reach.take("a", now, marketing=True) and reach.take("b", now, marketing=True)
    assert not reach.take("c", now, marketing=True)  # the last place is kept for reminders
    assert reach.take("a", now, marketing=True)  # someone reached already costs nothing
    assert reach.take("c", now + timedelta(minutes=1), marketing=False)
    assert not reach.take("d", now, marketing=False)
    assert reach.opens_at(now) == now + WINDOW + timedelta(seconds=1)
    reach.done("c", sent=False)  # that template did not go: its place is free again
    assert reach.take("d", now + timedelta(minutes=2), marketing=False)
    reach.done("d", sent=True)
    assert reach.used(now) == 3
    assert reach.used(now + WINDOW + timedelta(seconds=1)) == 1  # only d's is still taken
    later = DailyReach(limit=3, reserve=0)
    later.restore([("a", now), ("b", now - timedelta(hours=25))])  # from the outbox
    assert later.used(now) == 1
    assert DailyReach(limit=0, reserve=0).take("anyone", now, marketing=True)


@pytest.fixture
async def outreach(core):
    return Outreach(core.db, core.config, core.catalogs, core.clock)


async def seated(core, now, language="id") -> tuple[int, int]:
    owner = await eligible(core.db, "wa-1", now, language=language, channel="whatsapp")
    found = await session(core.db, now)
    await core.db.registrations.register(found.id, owner, now)
    return owner, found.id


async def test_inside_the_window_the_normal_message_goes(core, outreach, clock):
    owner, session_id = await seated(core, clock())
    row = item("reminder", {"session_id": session_id, "offset": 86400}, owner_id=owner,
               last_inbound=clock() - timedelta(hours=2))
    assert await outreach.prepare(row, REPLY) is REPLY
    forced = await outreach.prepare(replace(row, forced_template=True), REPLY)
    assert isinstance(forced, TemplateMessage)  # it failed as outside the window once


async def test_outside_the_window_each_kind_has_its_template_filled_now(core, outreach, clock):
    now = clock()
    owner, session_id = await seated(core, now, language="en")
    reminder = await outreach.prepare(item(
        "reminder", {"session_id": session_id, "offset": 7 * 86400}, owner_id=owner,
        language="en"), REPLY)
    assert reminder.name == "umkm_pengingat_pelatihan" and reminder.language == "en"
    assert reminder.params[0] == f"in {(START - now).days} days"  # as it is now
    assert reminder.params[2] == "Wednesday, 6 October 2027 at 9:00\u202fAM WIB"
    chosen = await outreach.prepare(item("seat", {"session_id": session_id, "chosen": True},
                                         owner_id=owner), REPLY)
    freed = await outreach.prepare(item("seat", {"session_id": session_id}, owner_id=owner),
                                   REPLY)
    assert (chosen.name, freed.name) == ("umkm_kursi_dipilih", "umkm_kursi_dari_daftar_tunggu")
    moved = await outreach.prepare(item("session_moved", {
        "session_id": session_id, "old": to_db(START - timedelta(days=7))}, owner_id=owner,
        language="id"), REPLY)
    assert moved.name == "umkm_jadwal_berubah"
    assert moved.params[3] == "Rabu, 29 September 2027 pukul 09.00 WIB"
    invited = await outreach.prepare(item("invitation", {"year": 2028}, owner_id=owner), REPLY)
    assert invited.params == ("2028",) and invited.buttons == ("interest:join:2028", "nonews")
    assert invited.marketing


async def test_an_announcement_with_a_photo_gets_the_photo_template(core, outreach, clock):
    from bot.storage.broadcasts import Audience

    media = await core.db.media.add("poster.png", "photo", "image/png", b"\x89PNG....", clock())
    broadcast, _new = await core.db.broadcasts.create(
        channel="telegram", author="1", chat_id="", language="en", html="<b>Pameran</b> batik",
        file_ref="", file_kind="", audience=Audience("all"), scheduled_for=clock(),
        now=clock(), media_id=media.id)
    message = await outreach.prepare(item("broadcast", {}, ref=str(broadcast.id)), REPLY)
    assert message.name == "umkm_pengumuman_foto" and message.params == ("*Pameran* batik",)
    assert message.header.media_id == media.id and message.header.kind == "photo"


async def test_no_template_or_no_place_left_today_holds_the_message(core, clock):
    owner, session_id = await seated(core, clock())
    row = item("reminder", {"session_id": session_id, "offset": 86400}, owner_id=owner)
    bare = Outreach(core.db, replace(core.config, whatsapp=replace(
        core.config.whatsapp, templates=Templates())), core.catalogs, core.clock)
    held = await bare.prepare(row, REPLY)
    assert isinstance(held, Held) and held.reason == WAITING_NO_TEMPLATE
    assert held.until > clock()
    full = Outreach(core.db, replace(core.config, whatsapp=replace(
        core.config.whatsapp, daily_limit=1, daily_reserve=0)), core.catalogs, core.clock)
    assert isinstance(await full.prepare(row, REPLY), TemplateMessage)
    other = await full.prepare(replace(row, chat_id="wa-2"), REPLY)
    assert isinstance(other, Held) and other.reason == WAITING_DAILY_LIMIT
    assert other.until == clock() + WINDOW + timedelta(seconds=1)
