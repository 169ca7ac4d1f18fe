"""Staff plumbing in the core: staff-only commands, staff conversations, the audit log."""

from __future__ import annotations

from bot.core import Context
from tests.support.config import STAFF_ID
from tests.support.owner import Owner


async def test_staff_commands_are_refused_to_owners_without_revealing_them(core):
    owner = Owner(core, user_id="1001", language_code="en")
    await owner.say("/staf")
    assert "I don't know that command" in owner.text()
    assert "/staf" not in owner.text()  # the help shown to owners does not list it
    await owner.press("menu:staf")
    assert "no longer works" in owner.text()


async def test_staff_see_their_menu_and_it_is_in_their_main_menu(core):
    staff = Owner(core, user_id=str(STAFF_ID), language_code="en")
    await staff.say("/staf")
    assert "Staff menu" in staff.text()
    await staff.say("/menu")
    assert any("Staff menu" in b.label for r in staff.last for row in r.buttons for b in row)
    await staff.say("/bantuan")
    assert "/staf" in staff.text()


async def test_a_staff_conversation_takes_typed_input_until_cancelled(core):
    seen = []

    async def on_echo(ctx: Context, _rest: str) -> None:
        seen.append(ctx.inbound.text)
        await ctx.save_flow("echo", "next", {"count": len(seen)})
        ctx.reply(f"got {len(seen)}")

    async def start_echo(ctx: Context, _args: str) -> None:
        await ctx.save_flow("echo", "first", {})
        await ctx.audit("echo.start", audience=3, note="test")
        ctx.reply("say something")

    core.router.flow("echo", on_echo)
    core.router.command(("echo",), start_echo, "echo", staff=True)
    staff = Owner(core, user_id=str(STAFF_ID), language_code="en")
    await staff.say("/echo")
    await staff.say("first")
    await staff.say("second")
    assert seen == ["first", "second"] and "got 2" in staff.text()
    flow = await core.db.staff.flow("telegram", str(STAFF_ID))
    assert flow.step == "next" and flow.data == {"count": 2}
    await staff.say("/batal")
    assert "Cancelled" in staff.text()
    assert await core.db.staff.flow("telegram", str(STAFF_ID)) is None
    await staff.say("third")
    assert seen == ["first", "second"]  # back to the normal conversation
    (entry,) = await core.db.staff.audit_entries()
    assert (entry.actor, entry.action, entry.audience, entry.detail) == (
        str(STAFF_ID), "echo.start", 3, {"note": "test"})
