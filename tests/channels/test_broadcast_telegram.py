"""Broadcasts and staff tools end to end: the real Application against the fake Bot API."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from telegram.ext import Application, ApplicationBuilder

from bot.storage.broadcasts import KIND
from handlers.telegram import TelegramChannel
from tests.support.config import STAFF_ID
from tests.support.fakebotapi import FakeBotAPI
from tests.support.harness import all_text, running_bot, sent, telegram_config
from tests.support.population import add_owners, add_session, sign_up

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)
FIRST = 20_000  # chat id of the first owner


class QuickTimeouts(TelegramChannel):
    """A channel that gives up on an answer after half a second (Telegram's is 5 s)."""

    def _build(self, api: str, concurrent_updates: int) -> Application:
        return (
            ApplicationBuilder().token(self.config.telegram.token)
            .base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
            .concurrent_updates(concurrent_updates).connection_pool_size(64).pool_timeout(10)
            .read_timeout(0.5).get_updates_read_timeout(self.poll_timeout + 10).build()
        )


def formatted(user, text: str, bold: str) -> int:
    """Push a message whose `bold` part is bold, as Telegram sends formatting (entities)."""
    start = text.index(bold)
    return user._push_message(text=text, entities=[
        {"type": "bold", "offset": start, "length": len(bold)}])


@pytest.mark.slow  # a load test: seconds of sending at the rate limit
async def test_a_broadcast_to_2000_owners_ends_with_exact_counts(tmp_path):
    async with FakeBotAPI(rate_limit=700, hold_seconds=1.0) as fake:
        config = telegram_config(tmp_path, fake, "[broadcast]\nrate = 600\nmax_attempts = 2\n"
                                                  "progress_every_s = 0.5\n")
        async with running_bot(fake, config, channel_class=QuickTimeouts) as channel:
            db = channel.core.db
            await add_owners(db, 2000, first_id=FIRST, eligible=True)
            chats = [FIRST + n for n in range(2000)]
            blocked, not_found, broken = chats[10:15], chats[20], chats[30]
            fake.blocked.update(blocked)  # 403: they blocked the bot
            fake.fail("sendMessage", chat_id=not_found, kind="400")  # "chat not found"
            fake.fail("sendMessage", chat_id=broken, kind="500", times=5)  # fails every try
            for chat in chats[40:43]:
                fake.fail("sendMessage", chat_id=chat, kind="500")  # once, then it works
            fake.fail("sendMessage", chat_id=chats[50], kind="429", retry_after=1)
            slow = chats[60]
            fake.fail("sendMessage", chat_id=slow, kind="timeout")  # arrives, answer lost

            staff = fake.user(STAFF_ID, language_code="en")
            await staff.cmd("/umumkan")
            await fake.process(formatted(staff, "Training opens soon. Sign up now!", "Sign up"))
            await staff.tap("audience:all")
            preview = sent(fake.calls("sendMessage", STAFF_ID))
            assert any("Training opens soon. <b>Sign up</b> now!" in (r.text or "")
                       for r in preview)
            assert "It will go to 2,000 owners." in all_text(preview)
            await staff.tap("send:now")
            report = await fake.wait_for(lambda r: r.method == "sendMessage"  # a new message
                                         and r.chat_id == STAFF_ID
                                         and "finished" in (r.text or ""), timeout=30)
            progress = [r.text for r in fake.calls("editMessageText", STAFF_ID)]
            assert any("Sent " in text and "of 2,000 — about" in text for text in progress)
            counts = await db.outbox.counts(KIND, "1")

    delivered = {chat: fake.delivered[chat] for chat in chats}
    missing = {c for c, n in delivered.items() if n == 0}
    assert missing == {*blocked, not_found, broken}
    assert [c for c, n in delivered.items() if n > 1] == [slow]  # the one whose answer was lost
    assert counts == {"sent": 1993, "blocked": 6, "failed": 1, "resent": 1}
    for line in ("Sent: 1,993", "Blocked the bot: 6", "Failed: 1",
                 "perhaps received twice: 1"):
        assert line in report.text
    assert fake.stats["429"] == 1  # only the one asked for: the sender stays under the limit
    assert report.buttons == [[("Show the failures", "bcfailures:1")]]


async def test_failures_are_listed_on_request_and_staff_tools_work_over_telegram(tmp_path):
    async with FakeBotAPI() as fake:
        config = telegram_config(tmp_path, fake, "[broadcast]\nprogress_every_s = 0.5\n"
                                                  "max_attempts = 2\n")
        async with running_bot(fake, config) as channel:
            db = channel.core.db
            ids = await add_owners(db, 3, first_id=FIRST, eligible=True, readiness=70,
                                   answers={"product_type": "batik", "name": "=HYPERLINK(1)"})
            fake.fail("sendMessage", chat_id=FIRST + 1, kind="400")
            fake.fail("sendMessage", chat_id=FIRST + 2, kind="500", times=10)
            staff = fake.user(STAFF_ID, language_code="en")
            await staff.cmd("/umumkan")
            await staff.say("Hello")
            await staff.tap("audience:product")
            await staff.tap("audiencevalue:product:batik")
            await staff.tap("send:now")
            await fake.wait_for(lambda r: r.method == "sendMessage" and r.chat_id == STAFF_ID
                                and "finished" in (r.text or ""), timeout=20)
            failures = await staff.tap("bcfailures:1")
            assert f"owner #{ids[2]}: Internal Server Error" in all_text(failures)

            # A deep link and its QR code, then an owner arriving through it.
            answer = await staff.cmd("/tautan poster-batik")
            (document,) = [r for r in answer if r.method == "sendDocument"]
            assert "https://t.me/umkm_test_bot?start=poster-batik" in document.text
            png = document.params["document"]
            assert png.filename == "qr-telegram-poster-batik.png" and png.startswith(b"\x89PNG")
            await fake.user(3001, language_code="id").cmd("/start poster-batik")
            assert (await db.owners.find("telegram", "3001")).source == "poster-batik"
            summary = all_text(await staff.cmd("/rekap"))
            assert "poster-batik: 1 → 0" in summary and "Batik: 3 → 3 → 3 → 3" in summary

            # The export: two documents; the workbook opens and holds the database's rows.
            answer = await staff.cmd("/ekspor")
            xlsx, csv = [r.params["document"] for r in answer if r.method == "sendDocument"]
            assert xlsx.filename.endswith(".xlsx") and csv.filename.endswith(".csv")
            book = openpyxl.load_workbook(io.BytesIO(xlsx))
            rows = list(book["Owners"].iter_rows(values_only=True))
            assert rows[1][:2] == (ids[0], "telegram") and "=HYPERLINK(1)" in rows[1]
            assert book["Owners"].cell(2, rows[0].index("Name") + 1).data_type == "s"
            assert "'=HYPERLINK(1)" in csv.decode("utf-8-sig")
            audit = all_text(await staff.cmd("/audit"))
            for action in ("Sent announcement #1", "Looked at the failures of announcement #1",
                           "Made a poster link and QR code", "Looked at the summary",
                           "Downloaded the data"):
                assert action in audit  # in words, not "broadcast.send"


async def test_the_xlsx_holds_what_the_database_holds(tmp_path):
    async with FakeBotAPI() as fake, running_bot(fake, telegram_config(tmp_path, fake)) as ch:
        db = ch.core.db
        low = await add_owners(db, 3, first_id=FIRST, eligible=True, readiness=40,
                               answers={"name": "Siti Aminah", "product_type": "fish",
                                        "kecamatan": "utara", "phone": "+6281234567890"})
        high = await add_owners(db, 2, first_id=FIRST + 10, eligible=True, readiness=90,
                                answers={"name": "Budi Santoso", "product_type": "batik"})
        october = await add_session(db, "Pelatihan Oktober", datetime(2027, 10, 6, 2, tzinfo=UTC))
        await sign_up(db, october, [*low, high[0]])
        await sign_up(db, october, [high[1]], status="waiting", attendance=None)
        now = datetime(2027, 10, 6, 3, tzinfo=UTC)
        assert await db.registrations.mark_present(october, low[0], True, now)
        assert await db.registrations.mark_present(october, low[1], False, now)
        assert not await db.registrations.mark_present(october, high[1], True, now)  # no seat
        answer = await fake.user(STAFF_ID, language_code="id").cmd("/ekspor")
        xlsx = next(r.params["document"] for r in answer if r.method == "sendDocument")
        book = openpyxl.load_workbook(io.BytesIO(xlsx))
        assert book.sheetnames == ["Pelaku usaha", f"{october} Pelatihan Oktober"]
        owners = {o.id: o for o in await db.reports.owners()}
        sheet = list(book["Pelaku usaha"].iter_rows(values_only=True))
        header = sheet[0]
        assert len(sheet) - 1 == len(owners)
        for row in sheet[1:]:
            record = dict(zip(header, row, strict=True))
            owner = owners[record["ID pelaku usaha"]]
            assert record["Kesiapan ekspor"] == owner.readiness
            assert record["Memenuhi syarat"] == "Ya"
            assert record["Nama"] == owner.answers["name"]
            assert record["Produk"] == {"fish": "Olahan ikan", "batik": "Batik"}[
                owner.answers["product_type"]]
            assert record["Mulai (WIB)"] == datetime(2027, 9, 1, 9, 0)
        session = list(book[f"{october} Pelatihan Oktober"].iter_rows(values_only=True))
        assert session[0][0] == "Pelatihan Oktober"
        table = session[session.index(next(r for r in session if r and r[0] == "Peringkat")):]
        ranked = [(r[1], r[7], r[9]) for r in table[1:]]
        assert ranked[:2] == [(high[0], 90, "terdaftar"), (high[1], 90, "daftar tunggu")]
        assert {r[0] for r in ranked[2:]} == set(low) and len(ranked) == 5
        assert table[3][6] == "+6281234567890"
        came = {r[1]: dict(zip(table[0], r, strict=True))["Hadir"] for r in table[1:]}
        assert came == {low[0]: "Ya", low[1]: "Tidak", low[2]: None, high[0]: None,
                        high[1]: None}


async def test_nobody_but_staff_reaches_a_staff_command_or_button(tmp_path):
    async with FakeBotAPI() as fake, running_bot(fake, telegram_config(tmp_path, fake)) as ch:
        core = ch.core
        staff_commands = {name for name, command in core.router.commands.items()
                          if command.staff}
        assert {"umumkan", "rekap", "ekspor", "tautan", "audit", "pengumuman", "staf"} <= \
            staff_commands
        owner = fake.user(4001, language_code="en")
        for name in sorted(staff_commands):
            answer = all_text(await owner.cmd(f"/{name} poster"))
            assert "I don't know that command" in answer and f"/{name}" not in answer
        for prefix in [p for p, entry in core.router.buttons.items() if entry.staff]:
            for data in (f"{prefix}:now", f"{prefix}:x:1", f"{prefix}:a:all"):
                answer = await fake.process(owner.press(data, 1, check=False))
                query = next(r for r in answer if r.method == "answerCallbackQuery")
                assert "no longer works" in query.params["text"]
        for name in sorted(staff_commands):
            await fake.process(owner.press(f"menu:{name}", 1, check=False))
        assert await core.db.staff.audit_entries() == []
        assert await core.db.staff.flow("telegram", "4001") is None
        assert await core.db.broadcasts.recent() == []

        # The command lists: staff get theirs in their own chat, owners never see them.
        requests = fake.calls("setMyCommands")
        lists = {r.params.get("language_code"): {c["command"]: c["description"]
                                                  for c in r.params["commands"]}
                 for r in requests
                 if r.params.get("scope") == {"type": "chat", "chat_id": STAFF_ID}}
        names = {c.names[0] for c in core.router.ordered if c.staff}
        english = {c.names[-1] for c in core.router.ordered if c.staff}
        assert lists[None]["umumkan"] == lists["id"]["umumkan"] == \
            "Kirim pengumuman ke pelaku usaha"
        assert lists["en"]["announce"] == "Send an announcement to owners"
        assert names <= set(lists["id"]) and english <= set(lists["en"])
        assert "kabar" in lists["id"] and "datasaya" in lists["id"]
        assert "berhenti" not in lists["id"]  # an old name, still understood, not listed
        for request in requests:
            if request.params.get("scope", {}).get("type") != "chat":
                assert not staff_commands & {c["command"] for c in request.params["commands"]}
