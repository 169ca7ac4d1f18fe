"""The funnel's one query gives, for every breakdown, what counting owner by owner gives."""

from __future__ import annotations

import random

from bot.storage.reports import STAGES
from tests.support.population import add_session, sign_up
from tests.support.sessionkit import START
from tests.support.staff_web import add_applicant


async def test_every_breakdown_adds_up_owner_by_owner(core):
    rng = random.Random(7)
    people = []
    for n in range(80):
        product = rng.choice(("batik", "fish", "other"))
        kecamatan = rng.choice(("barat", "timur", None))
        source = rng.choice(("poster", "pameran", None))
        channel = rng.choice(("telegram", "whatsapp"))
        eligible = rng.choice((True, False, None))
        owner_id = await add_applicant(core.db, n, name=f"P {n}", business=f"U {n}",
                                       product=product, kecamatan=kecamatan, source=source,
                                       channel=channel, eligible=eligible)
        people.append({"id": owner_id, "product": product, "kecamatan": kecamatan,
                       "source": source, "channel": channel, "eligible": eligible})
    session_id = await add_session(core.db, "Sesi", START)
    signed = [p["id"] for p in people if p["eligible"]][:20]
    await sign_up(core.db, session_id, signed[:10], attendance="confirmed")
    await sign_up(core.db, session_id, signed[10:], status="waiting")
    for owner_id in signed[:4]:
        await core.db.registrations.mark_present(session_id, owner_id, True, core.clock())

    def stages(p: dict) -> tuple[int, ...]:
        i = p["id"]
        return (1, 1, int(p["eligible"] is not None), int(p["eligible"] is True),
                int(i in signed), int(i in signed[:10]), int(i in signed[:4]))

    funnels = await core.db.reports.funnels()
    assert funnels[None][0].counts == tuple(map(sum, zip(*map(stages, people), strict=True)))
    for dimension in ("product", "kecamatan", "source", "channel"):
        expected: dict[str | None, list[int]] = {}
        for p in people:
            row = expected.setdefault(p[dimension], [0] * len(STAGES))
            for n, reached in enumerate(stages(p)):
                row[n] += reached
        rows = funnels[dimension]
        assert {r.group: list(r.counts) for r in rows} == expected
        assert [r.counts[0] for r in rows] == sorted((r.counts[0] for r in rows), reverse=True)
        assert await core.db.reports.funnel(dimension) == rows
