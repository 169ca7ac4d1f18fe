"""Choosing who gets a seat and marking who came, through the real Telegram Application."""

from __future__ import annotations

from tests.support.clock import Clock
from tests.support.config import STAFF_ID
from tests.support.fakebotapi import FakeBotAPI
from tests.support.harness import all_text, running_bot, sent, telegram_config
from tests.support.owner import button
from tests.support.population import add_owners, add_session, sign_up
from tests.support.sessionkit import START


async def test_choosing_and_marking_through_telegram(tmp_path):
    clock = Clock()
    async with FakeBotAPI() as fake, \
            running_bot(fake, telegram_config(tmp_path, fake), clock=clock) as channel:
        db = channel.core.db
        low = await add_owners(db, 1, first_id=5001, eligible=True, readiness=40,
                               answers={"name": "Siti <Aminah>", "business_name": "Ikan & Co"})
        high = await add_owners(db, 1, first_id=5002, eligible=True, readiness=90,
                                answers={"name": "Budi Santoso"})
        october = await add_session(db, "Pelatihan Oktober", START, capacity=1)
        await sign_up(db, october, low)
        await sign_up(db, october, high, status="waiting")
        staff = fake.user(STAFF_ID, language_code="id")
        answer = await staff.cmd("/sesi")
        answer = await staff.tap(button(answer, "📅 "))  # the session, by its date
        answer = await staff.tap(button(answer, "👥"))
        text = all_text(answer)
        assert "Siti &lt;Aminah&gt; (Ikan &amp; Co) · kesiapan 40" in text
        assert all(r.params.get("parse_mode") == "HTML" for r in sent(answer))
        answer = await staff.tap(button(answer, "🎯 Beri kursi"))
        answer = await staff.tap(button(answer, "Budi Santoso · 90"))
        assert "Kursi sudah penuh" in all_text(answer)
        answer = await staff.tap(button(answer, "Siti <Aminah> · 40"))
        assert "Alihkan kursi <b>Siti &lt;Aminah&gt; (Ikan &amp; Co) · kesiapan 40</b>" \
            in all_text(answer)
        answer = await staff.tap(button(answer, "Berikan kursi"))
        assert "Keduanya akan diberi tahu" in all_text(answer)
        told = await fake.wait_for(lambda r: r.method == "sendMessage"
                                   and r.chat_id == 5001 and "daftar tunggu" in (r.text or ""),
                                   timeout=10)
        assert "nomor 1" in told.text
        await fake.wait_for(lambda r: r.method == "sendMessage" and r.chat_id == 5002
                            and "kami memilih Anda" in (r.text or ""), timeout=10)
        assert (await db.registrations.get(october, high[0])).status == "registered"
        # On the day: mark who came, in place.
        clock.now = START
        answer = await staff.cmd("/sesi")
        answer = await staff.tap(button(answer, "📅 "))  # the session, by its date
        answer = await staff.tap(button(answer, "Catat kehadiran"))
        assert "Hadir: 0 · tidak hadir: 0 · belum dicatat: 1" in all_text(answer)
        answer = await staff.tap(button(answer, "Budi Santoso"))
        (edit,) = [r for r in answer if r.method == "editMessageText"]
        assert "Hadir: 1" in edit.text and edit.buttons[0][0][0] == "✅ Budi Santoso · 90"
        assert (await db.registrations.get(october, high[0])).present is True
