"""The staff web page's actions in a real browser, over the real bot: Debian's Chromium (driven by
Playwright) against the site served by uvicorn, on the core of python-telegram-bot's Application
talking to the fake Bot API.

At the office PC (1366x768) a staff member asks for a /masuk link in Telegram, signs in, looks at
the applicants sorted by readiness, gives the seats of a session to the most ready after its
preview, composes an announcement with formatting and a photo, sends it, and watches it to its
report, while the fake Bot API receives the seat notices and the photo (uploaded once). On a
phone (390x844) the same staff member marks who came on the checklist. Every page is saved as a
screenshot under tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from bot.actions import seats
from tests.support.browser import ARTIFACTS, CHROMIUM, LAUNCH_FLAGS, serving
from tests.support.clock import Clock
from tests.support.config import STAFF_ID
from tests.support.fakebotapi import FakeBotAPI, UploadedFile
from tests.support.harness import running_bot, telegram_config
from tests.support.population import add_session, sign_up
from tests.support.staff_web import LINK, PUBLIC_URL, add_applicant

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="no Chromium (apt-get install chromium)")
OFFICE, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
NAMES = ("Siti Aminah", "Budi Santoso", "Dewi Lestari", "Agus Salim", "Rina Marlina",
         "Joko Susilo", "Sri Wahyuni", "Ahmad Fauzi", "Nur Hidayah", "Bambang Irawan",
         "Wulan Sari", "Eko Prasetyo")
FIRST_CHAT = 7100


def poster() -> bytes:
    """A small PNG, as staff would upload a poster."""
    image = Image.new("RGB", (480, 270), (29, 111, 165))
    for x in range(40, 440):
        for y in range(100, 170):
            image.putpixel((x, y), (240, 180, 41))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def populate(core, starts_at) -> tuple[int, list[int]]:
    """Twelve eligible Telegram owners; a session of five seats taken first come, first served,
    so the most ready are partly on the waiting list."""
    owners = []
    for n, name in enumerate(NAMES):
        owners.append(await add_applicant(
            core.db, FIRST_CHAT + n, name=name, business=f"Usaha {name.split()[0]}",
            product=("batik", "fish", "other")[n % 3], readiness=(35 + n * 53) % 100,
            kecamatan=("barat", "timur", "utara", "selatan")[n % 4]))
    session_id = await add_session(core.db, "Pelatihan Ekspor Oktober 2027", starts_at,
                                   place="Aula Dindagkop-UKM, Jl. Sriwijaya 44", capacity=5)
    await sign_up(core.db, session_id, owners[:5])
    await sign_up(core.db, session_id, owners[5:], status="waiting")
    return session_id, owners


async def test_seats_attendance_and_an_announcement_in_a_browser(tmp_path):
    from playwright.async_api import async_playwright

    clock = Clock()
    starts_at = clock() + timedelta(days=1)  # tomorrow at 09.00: seats and attendance both open
    ARTIFACTS.mkdir(exist_ok=True)
    async with FakeBotAPI() as fake:
        config = telegram_config(tmp_path, fake, f'[web]\npublic_url = "{PUBLIC_URL}"\n'
                                                 "[broadcast]\nprogress_every_s = 0.5\n")
        async with running_bot(fake, config, clock=clock) as channel:
            core = channel.core
            session_id, owners = await populate(core, starts_at)
            staff = fake.user(STAFF_ID, language_code="id")

            async def link(base: str) -> str:
                answer = await staff.cmd("/masuk")
                found = LINK.search("\n".join(r.text or "" for r in answer))
                assert found, answer
                return base + found.group(1)

            async with serving(core) as base, async_playwright() as playwright:
                chromium = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=LAUNCH_FLAGS, headless=True)
                try:
                    await at_the_office(chromium, base, await link(base), core, fake,
                                        session_id, owners)
                    await on_a_phone(chromium, base, await link(base), core, session_id)
                finally:
                    await chromium.close()


async def new_page(chromium, viewport):
    context = await chromium.new_context(viewport=viewport, locale="id-ID")
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


async def at_the_office(chromium, base, login, core, fake, session_id, owners) -> None:
    context, page, errors = await new_page(chromium, OFFICE)

    async def shot(name: str) -> None:
        await page.screenshot(path=ARTIFACTS / f"staff-actions-desktop-{name}.png",
                              full_page=True)

    await page.goto(login)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url(base + "/staf/")
    await page.get_by_role("link", name="Pendaftar").first.click()
    readiness = [int(t) for t in await page.locator(
        "table.applicants tbody td:nth-child(6)").all_inner_texts()]
    assert readiness == sorted(readiness, reverse=True)  # the most ready first
    await shot("01-applicants")

    await page.get_by_role("link", name="Sesi").first.click()
    await page.wait_for_url(base + "/staf/sesi")
    await shot("02-sessions")
    await page.get_by_role("link", name="Pelatihan Ekspor Oktober 2027").click()
    await page.wait_for_url(f"{base}/staf/sesi/{session_id}")
    await shot("03-session")
    await page.get_by_role("link", name="Kursi untuk yang paling siap").click()
    await page.wait_for_url(f"{base}/staf/sesi/{session_id}/terbaik")
    await shot("04-most-ready-preview")
    preview = await page.locator("main").inner_text()
    assert "mendapat kursi" in preview and "urutan teratas daftar tunggu" in preview
    await page.get_by_role("button", name="Berikan kursinya").click()
    await page.wait_for_url(f"{base}/staf/sesi/{session_id}?selesai=best")
    await shot("05-session-after-seats")
    people = {p.owner_id: p for p in await seats.people(core, session_id)}
    seated = sorted((p for p in people.values() if p.status == "registered"),
                    key=lambda p: -(p.readiness or 0))
    best = sorted(people.values(), key=lambda p: -(p.readiness or 0))[:5]
    assert {p.owner_id for p in seated} == {p.owner_id for p in best}
    await fake.wait_for(lambda r: r.method == "sendMessage" and "kami memilih Anda"
                        in (r.text or ""), timeout=10)  # a seat notice went out on Telegram

    await page.get_by_role("link", name="Pengumuman").first.click()
    await page.get_by_role("link", name="Pengumuman baru").click()
    await page.wait_for_url(base + "/staf/pengumuman/baru")
    await page.get_by_label("Pengumuman, seperti yang akan dibaca pelaku usaha").fill(
        "*Pendaftaran pelatihan ekspor 2027 dibuka!*\nDaftar lewat menu bot sebelum "
        "_30 September_.")
    poster_path = Path(context_dir(core)) / "poster.png"
    poster_path.write_bytes(poster())
    await page.get_by_label("Foto atau dokumen (boleh dikosongkan)").set_input_files(
        str(poster_path))
    await page.get_by_label("Siapa yang akan menerimanya?").select_option("eligible")
    await shot("06-announcement-compose")
    await page.get_by_role("button", name="Pratinjau").click()
    await page.wait_for_url(base + "/staf/pengumuman/pratinjau")
    assert await page.locator(".bubble b").inner_text() == \
        "Pendaftaran pelatihan ekspor 2027 dibuka!"
    assert await page.locator(".bubble img").evaluate("i => i.naturalWidth") == 480
    await shot("07-announcement-preview")
    await page.get_by_role("button", name="Kirim sekarang ke 12 pelaku usaha").click()
    await page.wait_for_url(re.compile(r".*/staf/pengumuman/1\?selesai=started"))
    await shot("08-announcement-sending")
    # The page reloads itself (no script) until the report is there.
    await page.get_by_role("heading", name="Laporan").wait_for(timeout=30_000)
    await shot("09-announcement-report")
    report = await page.locator("main").inner_text()
    assert re.search(r"Terkirim\s+12", report), report
    photos = fake.calls("sendPhoto")
    assert sorted(r.chat_id for r in photos) == [FIRST_CHAT + n for n in range(12)]
    assert sum(isinstance(r.params["photo"], UploadedFile) for r in photos) == 1
    assert all("<b>Pendaftaran pelatihan ekspor 2027 dibuka!</b>" in r.params["caption"]
               for r in photos)

    await page.get_by_role("link", name="Daftar minat").first.click()
    await page.get_by_role("button", name=re.compile("Buka daftar minat")).first.click()
    await page.wait_for_url(re.compile(r".*/staf/minat\?selesai=opened"))
    await shot("10-interest-lists")
    await page.get_by_role("link", name="Catatan tindakan").first.click()
    await shot("11-audit")
    log = await page.locator("main").inner_text()
    for said in ("Memberi kursi", "Mengirim pengumuman #1", "Membuka daftar minat"):
        assert said in log, log
    assert errors == []
    await context.close()


def context_dir(core) -> Path:
    """A folder next to the test's database for files the browser uploads."""
    return Path(core.config.database).parent


async def on_a_phone(chromium, base, login, core, session_id) -> None:
    context, page, errors = await new_page(chromium, PHONE)

    async def shot(name: str) -> None:
        await page.screenshot(path=ARTIFACTS / f"staff-actions-phone-{name}.png",
                              full_page=True)

    await page.goto(login)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url(base + "/staf/")
    await page.goto(f"{base}/staf/sesi/{session_id}")
    await shot("01-session")
    await page.get_by_role("link", name="Catat kehadiran").click()
    await page.wait_for_url(f"{base}/staf/sesi/{session_id}/hadir")
    await shot("02-checklist")
    rows = page.locator("ul.checklist li")
    assert await rows.count() == 5
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing sticks out sideways on a phone
    first, second = rows.nth(0), rows.nth(1)
    await first.get_by_role("button", name="✓ Hadir", exact=True).click()
    await page.wait_for_url(re.compile(r".*/hadir#o\d+"))
    await second.get_by_role("button", name="✗ Tidak hadir", exact=True).click()
    await page.wait_for_url(re.compile(r".*/hadir#o\d+"))
    assert await first.get_attribute("class") == "came"
    assert await second.get_attribute("class") == "absent"
    await page.get_by_role("button", name="Sisanya tidak hadir").click()
    await page.wait_for_url(f"{base}/staf/sesi/{session_id}/hadir")
    await shot("03-checklist-marked")
    counted = await page.locator("p.count").inner_text()
    assert "Hadir: 1 · tidak hadir: 4 · belum dicatat: 0" in counted
    for name, path in (("04-announcements", "/staf/pengumuman"),
                       ("05-announcement", "/staf/pengumuman/1"),
                       ("06-compose", "/staf/pengumuman/baru"), ("07-interest", "/staf/minat"),
                       ("08-sessions", "/staf/sesi")):
        await page.goto(base + path)
        await shot(name)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], path
    marked = [p.present for p in await seats.people(core, session_id)
              if p.status == "registered"]
    assert sorted(marked) == [False, False, False, False, True]
    assert errors == []
    await context.close()
