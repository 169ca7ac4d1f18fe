"""Storage on a temporary SQLite file: migrations, atomic steps, erasure."""

import asyncio
import random
import sqlite3
from datetime import UTC, datetime

import pytest

from bot.storage import Database, StorageError, known_migrations
from bot.storage.owners import Owners

NOW = datetime(2027, 9, 1, 2, 0, tzinfo=UTC)


async def test_migrations_run_from_an_empty_file_and_only_once(tmp_path):
    path = tmp_path / "a.sqlite3"
    db = await Database.open(path)
    assert await db.schema_version() == len(known_migrations())
    assert (await db.one("PRAGMA journal_mode"))[0] == "wal"
    assert (await db.one("PRAGMA foreign_keys"))[0] == 1
    await db.close()
    db = await Database.open(path)  # opening again applies nothing new
    assert await db.schema_version() == len(known_migrations())
    assert await db.integrity_check() == "ok"
    await db.close()


async def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "b.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StorageError, match="newer version"):
        await Database.open(path)


async def test_a_file_that_is_not_a_database_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot be used"):
        await Database.open(path)


async def test_a_step_stores_answers_and_drops_atomically(tmp_path):
    db = await Database.open(tmp_path / "d.sqlite3")
    owner = await db.owners.create("telegram", "1", "1", "id", "poster", NOW)
    await db.owners.save_step(owner.id, {"has_nib": "yes", "nib": "1234567890123"}, (), None,
                              (), None, NOW)
    await db.owners.save_step(owner.id, {"has_nib": "no"}, ("nib",), "has_nib", ("x",),
                              "quality", NOW)
    assert await db.owners.answers(owner.id) == {"has_nib": "no"}
    again = await db.owners.get(owner.id)
    assert (again.cursor, again.draft, again.draft_for) == ("has_nib", ("x",), "quality")
    await db.close()


async def test_a_changed_answer_clears_a_given_result(tmp_path):
    db = await Database.open(tmp_path / "e.sqlite3")
    owner = await db.owners.create("telegram", "1", "1", "id", None, NOW)
    await db.owners.finish(owner.id, True, 80, {"unmet": []}, NOW)
    assert (await db.owners.get(owner.id)).eligible is True
    await db.owners.save_step(owner.id, {}, (), "name", (), None, NOW)  # only moving: kept
    assert (await db.owners.get(owner.id)).finished_at is not None
    await db.owners.save_step(owner.id, {"name": "Budi"}, (), None, (), None, NOW)
    changed = await db.owners.get(owner.id)
    assert changed.finished_at is None and changed.eligible is None
    await db.close()


async def test_erasure_removes_the_owner_and_every_answer(tmp_path):
    db = await Database.open(tmp_path / "f.sqlite3")
    owner = await db.owners.create("telegram", "1", "1", "id", None, NOW)
    await db.owners.save_step(owner.id, {"name": "Budi Santoso"}, (), None, (), None, NOW)
    assert await db.owners.delete(owner.id)
    assert await db.owners.get(owner.id) is None
    assert (await db.one("SELECT count(*) FROM answers"))[0] == 0
    await db.close()
    # secure_delete overwrites freed pages: the name is not left in the file.
    raw = (tmp_path / "f.sqlite3").read_bytes()
    wal = tmp_path / "f.sqlite3-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"Budi Santoso" not in raw


async def test_creating_the_same_owner_twice_keeps_one_row(tmp_path):
    db = await Database.open(tmp_path / "g.sqlite3")
    a = await db.owners.create("telegram", "7", "7", "id", "poster-a", NOW)
    b = await db.owners.create("telegram", "7", "7", "en", "poster-b", NOW)
    assert a.id == b.id and b.source == "poster-a"
    await db.close()


async def test_an_atomic_step_that_fails_leaves_nothing_behind(tmp_path):
    db = await Database.open(tmp_path / "h.sqlite3")
    owner = await db.owners.create("telegram", "1", "1", "id", None, NOW)

    def half_then_fail(conn):
        conn.execute("INSERT INTO answers (owner_id, question_id, value, answered_at)"
                      " VALUES (?, 'name', '\"Budi\"', 'x')", (owner.id,))
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        await db.atomically(half_then_fail)
    assert await db.owners.answers(owner.id) == {}
    saved = await db.owners.save_step(owner.id, {"name": "Budi"}, (), "name", (), None, NOW)
    assert saved.cursor == "name" and await db.owners.answers(owner.id) == {"name": "Budi"}
    await db.close()


async def test_cached_owners_and_answers_stay_true_under_interleaved_writes(tmp_path):
    """Rows and answers are kept in memory; every mix of concurrent reads and writes leaves
    the copies equal to what a fresh read of the file says."""
    path = tmp_path / "cache.sqlite3"
    db = await Database.open(path)
    try:
        owners = [await db.owners.create("telegram", str(n), str(n), "id", None, NOW)
                  for n in range(5)]
        rng = random.Random(7)

        async def some_change(owner_id: int, step: int) -> None:
            pick = rng.randrange(8)
            if pick == 0:
                await db.owners.set_language(owner_id, rng.choice(["id", "en"]))
            elif pick == 1:
                await db.owners.consent(owner_id, "v1", "id", NOW)
            elif pick == 2:
                await db.owners.set_paused(owner_id, rng.random() < 0.5)
            elif pick == 3:
                await db.owners.mark_blocked(owner_id, NOW)
            elif pick == 4:
                await db.owners.seen(owner_id, "chat", NOW)
            elif pick == 5:
                await db.owners.finish(owner_id, True, step, {"unmet": []}, NOW)
            elif pick == 6:
                await db.owners.restart(owner_id)
            else:
                await db.owners.save_step(owner_id, {"name": f"Budi {step}"},
                                          ["nib"] if step % 3 else [], f"q{step}", (), None, NOW)

        async def some_read(owner) -> None:
            await db.owners.find(owner.channel, owner.external_id)
            await db.owners.answers(owner.id)

        for step in range(60):
            jobs = []
            for owner in owners:
                jobs += [some_change(owner.id, step), some_read(owner), some_change(owner.id, step)]
            rng.shuffle(jobs)
            await asyncio.gather(*jobs)
            fresh = Owners(db)  # no cache: what the file holds
            for owner in owners:
                assert await db.owners.find("telegram", owner.external_id) == \
                    await fresh.find("telegram", owner.external_id)
                assert await db.owners.answers(owner.id) == await fresh.answers(owner.id)
        gone = owners[0]
        await db.owners.find("telegram", gone.external_id)
        assert await db.owners.delete(gone.id)
        assert await db.owners.find("telegram", gone.external_id) is None
        assert await db.owners.answers(gone.id) == {}
    finally:
        await db.close()

