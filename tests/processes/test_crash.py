"""Crash test: the real `umkm-bot run` process is SIGKILLed at random moments while 50 owners are
in the middle of the questionnaire, 20 times in a row, and restarted each time.

After every kill: `PRAGMA integrity_check` says ok, and every answer the bot acknowledged (the
fake Bot API received a reply to it) is stored with its value. After every restart: each owner
sends /lanjut and is shown exactly the question that follows what is stored.

Updates Telegram still held at a kill are dropped, so that each round starts from a known
state: the owners simply carry on from what the bot shows them, as people whose last message
went unanswered do.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot import engine
from bot.core import esc
from bot.questionnaire import Kind as QKind
from bot.questions import QUESTIONNAIRE
from bot.storage import Database
from bot.validators import VALIDATORS, Valid
from tests.support.config import write_config
from tests.support.fakebotapi import FakeBotAPI, FakeUser, Request
from tests.support.harness import TOKEN
from tests.support.script import (
    CONSENT_DATA,
    ELIGIBLE,
    GO_ON_DATA,
    NOT_ELIGIBLE,
    SUBMIT_DATA,
    choice_data,
    done_data,
    toggle_data,
)

pytestmark = pytest.mark.slow
OWNERS = 50
ROUNDS = 20
SEED = int(os.environ.get("CRASH_SEED") or random.randrange(10 ** 6))  # printed; set to repeat
# The scripted eligible owner, and one whose answers take other paths (another product, a
# quantity in kg, no NIB or kecamatan asked).
PERSONAS = [ELIGIBLE.answers, NOT_ELIGIBLE.but(
    name="Siti Aminah", business_name="Camilan Bu Siti", product_type="other",
    product_other="Keripik singkong", own_production="partly", capacity="2,5 kuintal",
    steady="seasonal", packaging="basic", export_experience="third_party",
    phone="+62 812 3456 7890").answers]
LABELS = {f"<b>{esc(q.label)}</b>": q.id for q in QUESTIONNAIRE.questions}


def prompt(text: str) -> str | None:
    """What a message of the bot asks for: consent, a question id, the summary, the result."""
    if "Do you agree?" in text:
        return "consent"
    if "Please check your answers" in text:
        return "summary"
    if "Good news" in text or "requirements of the training yet" in text:
        return "result"
    if "cannot join this training" in text:
        return "go on"  # told at once that the KTP address does not qualify
    if text.startswith("Chosen: "):
        # A multi-select question redrawn with its ticks shows neither its label nor its
        # number: the questionnaire's one multi-select.
        (multi,) = [q.id for q in QUESTIONNAIRE.questions if q.kind == QKind.MULTI]
        return multi
    where = re.search(r"(\d+)/\d+</i> · ", text)
    if where:
        return next((qid for label, qid in LABELS.items() if label in text), None)
    return None


def stored_value(question_id: str, answer: Any) -> Any:
    """What the bot stores for the persona's answer."""
    question = QUESTIONNAIRE.get(question_id)
    assert question is not None
    if question.kind in (QKind.TEXT, QKind.PHONE):
        outcome = VALIDATORS[question.validator](answer)
        assert isinstance(outcome, Valid)
        return outcome.value
    return answer


@dataclass
class Driver:
    """One owner answering whatever the bot asks, remembering what the bot acknowledged."""

    fake: FakeBotAPI
    user: FakeUser
    persona: dict[str, Any]
    rng: random.Random
    acked: dict[str, Any] = field(default_factory=dict)  # question id (or "consent") -> value
    pending: tuple[str, Any, int] | None = None  # the last action, not yet acknowledged
    also: tuple[str, Any] | None = None  # a follow-up answered by the same action
    finished: bool = False

    async def push(self, key: str, value: Any, update: Any) -> int:
        """Send one update and remember it as pending."""
        seq = self.fake._seq
        self.pending = (key, value, seq)
        update()
        return seq

    async def reply(self, after: int, toggled: bool = False) -> Request:
        """The bot's answer to the update pushed at `after`: what it asks next."""
        def matches(r: Request) -> bool:
            if r.chat_id != self.user.id or r.seq <= after or r.status != 200:
                return False
            if toggled:
                return r.method == "editMessageText"
            return r.method == "sendMessage" and prompt(r.text or "") is not None

        found = await self.fake.wait_for(matches, timeout=30)
        if self.pending is not None and self.pending[0] != "/lanjut":
            self.acked[self.pending[0]] = self.pending[1]
            if self.also is not None:
                self.acked[self.also[0]] = self.also[1]
        self.pending = None
        self.also = None
        return found

    async def resume(self, db: Database, first: bool) -> Request:
        """/start (first round) or /lanjut; check the bot resumes where the database says."""
        command = "/start" if first else "/lanjut"
        seq = await self.push("/lanjut", None, lambda: self.user.command(command))
        shown = await self.reply(seq)
        assert prompt(shown.text or "") == await expected(db, self.user.id), (
            f"owner {self.user.id} resumed at the wrong place: {shown.text!r}")
        return shown

    async def run(self, shown: Request) -> None:
        """Answer until the result, or until cancelled by a kill."""
        while True:
            # People take a moment to answer: everyone stays mid-questionnaire for many kills.
            await asyncio.sleep(self.rng.uniform(0.25, 0.6))
            asked = prompt(shown.text or "")
            if asked == "result":
                self.finished = True
                return
            if asked == "consent":
                seq = await self.push("consent", True, lambda: self.user.press(CONSENT_DATA,
                                                                                check=False))
            elif asked == "summary":
                seq = await self.push("submit", True, lambda: self.user.press(SUBMIT_DATA,
                                                                               check=False))
            elif asked == "go on":
                seq = await self.push("/lanjut", None, lambda: self.user.press(GO_ON_DATA,
                                                                                check=False))
            else:
                shown = await self.answer(asked, shown)
                continue
            shown = await self.reply(seq)

    async def answer(self, question_id: str, shown: Request) -> Request:
        """Answer one question (a multi-select takes several presses)."""
        question = QUESTIONNAIRE.get(question_id)
        assert question is not None
        wanted = self.persona[question_id]
        option = question.option(wanted) if question.kind == QKind.CHOICE else None
        child = QUESTIONNAIRE.get(option.inline) if option and option.inline else None
        if child is not None:  # its follow-up is answered in the same message
            inner = self.persona[child.id]
            self.also = (child.id, stored_value(child.id, inner))
            if child.kind == QKind.CHOICE:
                data = choice_data(question, f"{wanted}:{inner}")
                seq = await self.push(question_id, wanted,
                                      lambda: self.user.press(data, check=False))
            else:
                seq = await self.push(question_id, wanted, lambda: self.user.text(inner))
        elif question.kind == QKind.CHOICE:
            data = choice_data(question, wanted)
            seq = await self.push(question_id, wanted, lambda: self.user.press(data, check=False))
        elif question.kind == QKind.MULTI:
            ticked = {d for row in shown.buttons for label, d in row if label.startswith("✅")}
            chosen = {o.value for o in question.options if toggle_data(question, o.value) in ticked}
            change = sorted(chosen ^ set(wanted))
            if change:
                data = toggle_data(question, change[0])
                seq = await self.push("toggle", None, lambda: self.user.press(data, check=False))
                edited = await self.reply(seq, toggled=True)
                return edited
            seq = await self.push(question_id, wanted,
                                  lambda: self.user.press(done_data(question), check=False))
        else:
            seq = await self.push(question_id, stored_value(question_id, wanted),
                                  lambda: self.user.text(wanted))
        return await self.reply(seq)


async def expected(db: Database, user_id: int) -> str:
    """Where the stored state says the owner is."""
    owner = await db.owners.find("telegram", str(user_id))
    if owner is None or not owner.consented:
        return "consent"
    if owner.finished_at is not None and owner.cursor is None:
        return "result"
    answers = await db.owners.answers(owner.id)
    shown = engine.view(QUESTIONNAIRE, engine.Form(answers, owner.cursor, owner.draft,
                                                    owner.draft_for))
    return "summary" if isinstance(shown, engine.Review) else shown.question.id


async def verify_after_kill(db: Database, drivers: list[Driver]) -> None:
    """The file is intact and holds every acknowledged answer."""
    assert await db.integrity_check() == "ok"
    for driver in drivers:
        owner = await db.owners.find("telegram", str(driver.user.id))
        if not driver.acked:
            continue
        assert owner is not None, f"owner {driver.user.id} lost"
        answers = await db.owners.answers(owner.id)
        for key, value in driver.acked.items():
            if key == "consent":
                assert owner.consented
            elif key == "submit":
                assert owner.finished_at is not None
            elif key != "toggle":
                assert answers.get(key) == value, (driver.user.id, key, answers.get(key), value)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_kill_9_twenty_times_loses_no_acknowledged_answer(tmp_path):
    print(f"crash test seed: {SEED} (CRASH_SEED={SEED} repeats it)")  # seen with -s
    try:
        await kill_and_restart(tmp_path)
    except BaseException as failure:
        failure.add_note(f"crash test seed: {SEED}; repeat with CRASH_SEED={SEED}")
        raise


async def kill_and_restart(tmp_path) -> None:
    """The rounds: start the bot, let the owners answer, SIGKILL it at a random moment."""
    rng = random.Random(SEED)
    # Each round lives well under a second: poll without a pause, as the other tests do.
    config = write_config(tmp_path, "[telegram]\npoll_interval_ms = 0\n")
    database = tmp_path / "bot.sqlite3"
    async with FakeBotAPI() as fake:
        env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.url,
               "PORT": "0"}  # the web server on any free port
        drivers = [Driver(fake, fake.user(7000 + n, language_code="en"), PERSONAS[n % 2],
                          random.Random(rng.random())) for n in range(OWNERS)]
        kills = 0
        in_progress = []  # owners mid-questionnaire at each kill
        stderr = b""
        for number in range(ROUNDS + 1):
            started_at = fake._seq
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--config", str(config), "run", env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            try:
                # Its last call before polling (a getUpdates is recorded only once answered).
                await fake.wait_for(lambda r, s=started_at: r.method == "deleteWebhook"
                                    and r.seq > s, timeout=30)
                db = await Database.open(database)
                try:
                    active = [d for d in drivers if not d.finished]
                    shown = await asyncio.gather(*(d.resume(db, number == 0) for d in active))
                finally:
                    await db.close()
                if number == ROUNDS:
                    break
                tasks = [asyncio.create_task(d.run(s)) for d, s in zip(active, shown,
                                                                        strict=True)]
                await asyncio.sleep(rng.uniform(0.05, 0.6))  # a random moment of the work
                process.kill()
                in_progress.append(sum(not d.finished for d in drivers))
                kills += 1
                await process.wait()
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                for task in tasks:
                    if not task.cancelled() and task.exception() is not None:
                        raise task.exception()
            finally:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                    await asyncio.wait_for(process.wait(), 20)
                stderr += await process.stderr.read()
            # What the bot acknowledged is exactly the replies the fake received.
            for driver in drivers:
                if driver.pending is not None:
                    key, value, seq = driver.pending
                    if any(r.chat_id == driver.user.id and r.seq > seq for r in fake.requests):
                        driver.acked[key] = value
                    driver.pending = None
            fake._queue.clear()  # see the module docstring
            db = await Database.open(database)
            try:
                await verify_after_kill(db, drivers)
            finally:
                await db.close()
    assert kills == ROUNDS, f"seed {SEED}"
    answered = sum(len(d.acked) for d in drivers)
    # Enough work went on to make the kills mean something (two answers per owner at least;
    # on a slow shared machine a seed of short rounds, 507807, gets about 2.4).
    assert answered > OWNERS * 2, f"too little was answered ({answered}); seed {SEED}"
    assert min(in_progress) >= OWNERS // 2, (in_progress, SEED)
    log = stderr.decode()
    assert "Traceback" not in log and TOKEN not in log
    for persona in PERSONAS:
        assert persona["name"] not in log and persona["business_name"] not in log
