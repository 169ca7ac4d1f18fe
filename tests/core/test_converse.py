"""`Core.converse`: the one call every channel makes per inbound, with what every channel needs."""

from __future__ import annotations

from bot.channel import Inbound, InboundKind, Reply
from bot.delivery import RetryLater, UserGone
from tests.support.config import STAFF_ID


class Channel:
    """A channel whose sending fails as told, recording what went out."""

    name = "telegram"

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.failures = failures or []
        self.sent: list[list] = []

    async def send_replies(self, inbound: Inbound, replies: list) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(replies)


def inbound(text: str, user_id: str = "7001", **fields) -> Inbound:
    kind = InboundKind.COMMAND if text.startswith("/") else InboundKind.TEXT
    return Inbound(channel=fields.pop("channel", "telegram"), user_id=user_id, chat_id=user_id,
                   kind=kind, text=text, language_code="en", **fields)


async def test_a_short_pause_asked_for_is_waited_out_once_and_sends_what_was_left(core):
    channel = Channel([RetryLater(0.01, sent=0)])
    await core.converse(channel, inbound("/start"))
    assert len(channel.sent) == 1 and "Welcome" in channel.sent[0][0].text


async def test_a_long_pause_or_a_second_one_gives_up_without_raising(core):
    channel = Channel([RetryLater(60)])
    await core.converse(channel, inbound("/start"))
    assert channel.sent == []
    channel = Channel([RetryLater(0.01), RetryLater(0.01)])
    await core.converse(channel, inbound("/start", user_id="7002"))
    assert channel.sent == []


async def test_an_owner_who_blocked_the_bot_is_marked(core):
    await core.converse(Channel(), inbound("/start"))
    await core.converse(Channel([UserGone("blocked")]), inbound("/start"))
    owner = await core.db.owners.find("telegram", "7001")
    assert owner is not None and owner.blocked_at is not None


async def test_a_failure_while_answering_gets_the_apology_in_the_owners_language(core):
    await core.converse(Channel(), inbound("/start"))

    async def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    core.router.commands["start"] = core.router.commands["start"].__class__(
        ("start",), broken, "")
    channel = Channel()
    await core.converse(channel, inbound("/start"))
    (reply,) = channel.sent[0]
    assert isinstance(reply, Reply) and "something went wrong" in reply.text


def test_staff_are_named_by_channel_and_a_telegram_id_never_matches_whatsapp(core):
    telegram = inbound("/rekap", user_id=str(STAFF_ID))
    assert core.is_staff(telegram)
    whatsapp = inbound("/rekap", user_id=str(STAFF_ID), channel="whatsapp",
                       address=str(STAFF_ID))
    assert not core.is_staff(whatsapp)
    assert core.is_staff(inbound("/x", user_id="local", channel="terminal"))
