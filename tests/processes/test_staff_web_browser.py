"""The staff web page in a real browser: Debian's headless Chromium driven by Playwright.

The site is served by uvicorn on 127.0.0.1 (a free port) inside this test's event loop, over
the same core and database as the chat. A staff member gets a /masuk link through the core,
opens it, looks at the overview, the applicants sorted by readiness, one applicant, and
downloads the spreadsheet. Every page is saved as a screenshot under tests/artifacts/ at an
office screen's size and at a phone's, for a person to look at.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import FEATURES
from bot.core import Core
from bot.i18n import Catalogs
from bot.storage import Database
from tests.support.browser import ARTIFACTS, CHROMIUM, LAUNCH_FLAGS, serving
from tests.support.staff_web import add_applicant, login_path, web_config

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
PRODUCTS = ("batik", "fish", "other")
KECAMATAN = ("barat", "timur", "utara", "selatan")
NAMES = ("Siti Aminah", "Budi Santoso", "Dewi Lestari", "Agus Salim", "Rina Marlina",
         "Joko Widodo", "Sri Wahyuni", "Ahmad Fauzi", "Nur Hidayah", "Bambang Pamungkas")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="no Chromium (apt-get install chromium)")


async def populate(db: Database) -> None:
    """Sixty owners of every product and kecamatan, readiness spread out, a few unfinished."""
    for n in range(60):
        name = NAMES[n % len(NAMES)]
        await add_applicant(
            db, 5000 + n, name=f"{name} {n}", business=f"Usaha {name.split()[0]} {n}",
            product=PRODUCTS[n % 3], kecamatan=KECAMATAN[n % 4] if n % 7 else None,
            readiness=(n * 37) % 101, eligible=None if n % 11 == 0 else n % 3 != 1,
            phone=f"0812{n:08d}", source=("poster-batik", "pameran", None)[n % 3],
            channel="whatsapp" if n % 2 else "telegram")


@pytest.fixture
async def site(tmp_path, clock):
    """The site on a free port of 127.0.0.1; yields (core, base URL)."""
    config = web_config(tmp_path)
    db = await Database.open(config.database)
    core = Core(config, db, Catalogs(config.time_zone), FEATURES, clock=clock)
    await populate(db)
    try:
        async with serving(core) as base:
            yield core, base
    finally:
        await db.close()


async def test_a_staff_member_signs_in_and_reviews_applicants(site):
    from playwright.async_api import async_playwright

    core, base = site
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS,
                                                    headless=True)
        try:
            for size, (width, height) in SIZES.items():
                context = await chromium.new_context(viewport={"width": width, "height": height},
                                                     accept_downloads=True, locale="id-ID")
                page = await context.new_page()
                errors: list[str] = []
                page.on("console", lambda m, errors=errors: errors.append(m.text)
                        if m.type == "error" else None)

                async def shot(name: str, page=page, size=size) -> None:
                    await page.screenshot(path=ARTIFACTS / f"staff-web-{size}-{name}.png",
                                          full_page=True)

                await page.goto(base + await login_path(core))
                await shot("1-sign-in")
                await page.get_by_role("button", name="Masuk").click()
                await page.wait_for_url(base + "/staf/")
                assert await page.get_by_role("heading", name="Ringkasan").count() == 1
                await shot("2-overview")

                await page.get_by_role("link", name="Pendaftar").first.click()
                await page.wait_for_url(base + "/staf/pendaftar")
                # Sorted by readiness, highest first, until the header is pressed.
                header = page.get_by_role("columnheader", name="Kesiapan ekspor")
                assert await header.get_attribute("aria-sort") == "descending"
                await header.get_by_role("link").click()
                assert await header.get_attribute("aria-sort") == "ascending"
                await header.get_by_role("link").click()
                assert await header.get_attribute("aria-sort") == "descending"
                readiness = [int(t) for t in await page.locator(
                    "table.applicants tbody td:nth-child(6)").all_inner_texts() if t.strip()]
                assert readiness == sorted(readiness, reverse=True) and readiness[0] == 100
                await shot("3-applicants")

                await page.locator("table.applicants tbody td:nth-child(2) a").first.click()
                await page.wait_for_url(base + "/staf/pendaftar/*")
                assert await page.get_by_role("heading", name="Jawaban").count() == 1
                await shot("4-applicant")

                await page.get_by_role("link", name="Unduhan").first.click()
                await page.wait_for_url(base + "/staf/unduh")
                await shot("5-downloads")
                async with page.expect_download() as waiting:
                    await page.get_by_role("link", name="Berkas Excel (XLSX)").click()
                download = await waiting.value
                assert download.suggested_filename.endswith(".xlsx")
                book = load_workbook(io.BytesIO(Path(await download.path()).read_bytes()))
                assert book.worksheets[0].max_row == 61  # a header and sixty owners
                assert errors == []  # no refused script, style or image (CSP), no 404
                await context.close()
        finally:
            await chromium.close()
