"""Storage on a temporary SQLite file: migrations, atomic steps, erasure."""

import sqlite3
from datetime import UTC, datetime

import pytest

from bot.storage import Database, StorageError, known_migrations

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
