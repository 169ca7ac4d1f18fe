"""The daily automatic backup: a consistent copy of the database at `[backup] hour` (local time)
into `[backup] directory`, keeping the newest `[backup] keep` copies.

A bot that was down at that hour, or has never made a backup, makes one right after it starts.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.core import Core, Router
from bot.storage import StorageError
from bot.storage.backup import Copy, backup, backup_name, newest, prune

log = logging.getLogger(__name__)
JOB = "daily-backup"


def register(router: Router) -> None:
    """Schedule the backups when the bot starts."""
    router.on_start.append(on_start)


def overdue(last: datetime | None, now: datetime) -> bool:
    """True when the newest backup is missing or more than a day (and a margin) old."""
    return last is None or now - last > timedelta(hours=25)


async def on_start(core: Core) -> None:
    """Add the daily job to the one scheduler; catch up at once when a backup is overdue."""
    settings = core.config.backup
    if settings.directory is None:
        return
    core.scheduler.add_job(daily_backup, "cron", hour=settings.hour, minute=0, args=(core,),
                           id=JOB, replace_existing=True, coalesce=True, max_instances=1,
                           misfire_grace_time=6 * 3600)
    last = await asyncio.to_thread(newest, settings.directory)
    now = core.clock().astimezone(core.config.time_zone).replace(tzinfo=None)
    if overdue(last[1] if last else None, now):
        core.scheduler.add_job(daily_backup, args=(core,), id=f"{JOB}-catch-up",
                               replace_existing=True)


async def daily_backup(core: Core) -> Copy | None:
    """Write one backup and prune old ones; a failure is logged, and tried again next day."""
    settings = core.config.backup
    assert settings.directory is not None
    moment = core.clock().astimezone(core.config.time_zone)
    try:
        copy = await asyncio.to_thread(backup, core.db.path,
                                       settings.directory / backup_name(moment), moment)
        removed = await asyncio.to_thread(prune, settings.directory, settings.keep)
    except (StorageError, OSError) as exc:
        log.error("the daily backup failed: %s", exc)
        return None
    log.info("backup %s written (%d bytes); %d old backups deleted", copy.path.name, copy.size,
             len(removed))
    return copy
