"""Typed button data (bot/buttons.py): packed and checked when a button is built, read back
without ever raising, and the data older versions put on buttons still meaning the same."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import owner_buttons, staff_buttons
from bot.buttons import MAX_BYTES, ButtonData, ButtonDataError
from bot.cli import FEATURES
from bot.owner_buttons import (
    Answer,
    Attend,
    Back,
    Consent,
    Done,
    Edit,
    Interest,
    Keep,
    Language,
    Menu,
    MyData,
    News,
    NextStep,
    Restart,
    SignUp,
    Summary,
    Tick,
    Unmet,
)
from bot.router import Router
from bot.staff_buttons import (
    AudienceKind,
    AudienceValue,
    CancelBroadcast,
    Failures,
    InterestList,
    InterestReply,
    NewSession,
    Roll,
    RollMark,
    RollRest,
    SeatBest,
    SeatGive,
    SeatPick,
    Seats,
    SeatSwap,
    SendChoice,
    SessionAction,
    SessionField,
    SessionList,
    SessionReply,
    StopBroadcast,
)

KINDS = [kind for module in (owner_buttons, staff_buttons)
         for _name, kind in inspect.getmembers(module, inspect.isclass)
         if issubclass(kind, ButtonData) and kind is not ButtonData]

# Data that earlier versions put on buttons, written out as they wrote it, and what it means
# now. These buttons sit on owners' phones for years: every line stays pressable.
LEGACY = [
    ("m:jadwal", Menu("jadwal")),
    ("c:yes", Consent("yes")),
    ("c:notice", Consent("notice")),
    ("l:en", Language("en")),
    ("a:product_type:batik", Answer("product_type", "batik")),
    ("a:ktp_city:yes:barat", Answer("ktp_city", "yes", "barat")),
    ("t:quality:sni", Tick("quality", "sni")),
    ("d:quality", Done("quality")),
    ("k:name", Keep("name")),
    ("b:has_nib", Back("has_nib")),
    ("e:has_nib", Edit("has_nib")),
    ("s:submit", Summary("submit")),
    ("s:release", Summary("release")),
    ("s:edit", Summary("edit")),
    ("s:edit:2", Summary("edit", 2)),
    ("r:nib", NextStep("nib")),
    ("f:go", Unmet("go")),
    ("u:no", Restart("no")),
    ("x:answers", MyData("answers")),
    ("n:pause", News("pause")),
    ("sess:join:3", SignUp("join", 3)),
    ("sess:dropok:3", SignUp("dropok", 3)),
    ("att:yes:3", Attend("yes", 3)),
    ("intr:leave:2027", Interest("leave", 2027)),
    ("stses:list", SessionList()),
    ("stses:new", NewSession()),
    ("stses:show:3", SessionAction("show", 3)),
    ("stses:cancel:3", SessionAction("cancel", 3)),
    ("stses:field:3:capacity", SessionField(3, "capacity")),
    ("stses:flow:yes", SessionReply("yes")),
    ("stses:flow:25", SessionReply("25")),
    ("stseat:people:3", Seats("people", 3)),
    ("stseat:choose:3:1", Seats("choose", 3, 1)),
    ("stseat:best:3", Seats("best", 3)),
    ("stseat:pick:3:7", SeatPick(3, 7)),
    ("stseat:pick:3:7:1", SeatPick(3, 7, 1)),
    ("stseat:swap:3:7:8", SeatSwap(3, 7, 8)),
    ("stseat:seat:3:7:0", SeatGive(3, 7, 0)),
    ("stseat:seat:3:7:8", SeatGive(3, 7, 8)),
    ("stseat:bestok:3:123456789", SeatBest(3, "123456789")),
    ("stcame:mark:3", Roll(3)),
    ("stcame:mark:3:1", Roll(3, 1)),
    ("stcame:here:3:7:1:0", RollMark(3, 7, True, 0)),
    ("stcame:here:3:7:0:2", RollMark(3, 7, False, 2)),
    ("stcame:rest:3", RollRest(3)),
    ("stint:invite:2027", InterestList("invite", 2027)),
    ("stint:flow:no", InterestReply("no")),
    ("bc:a:all", AudienceKind("all")),
    ("bc:v:product:batik", AudienceValue("product", "batik")),
    ("bc:now", SendChoice("now")),
    ("bc:again", SendChoice("again")),
    ("bc:x:5", CancelBroadcast(5)),
    ("bc:stop:5", StopBroadcast(5)),
    ("bc:f:5", Failures(5)),
]


@pytest.fixture(scope="module")
def router() -> Router:
    """The router as the program registers it, with every feature."""
    router = Router()
    for feature in FEATURES:
        feature.register(router)
    return router


def test_every_kind_of_button_is_registered_once_under_readable_prefixes(router):
    registered = {entry.kind for entry in router.buttons.values()}
    assert registered == set(KINDS)
    prefixes = [kind.prefix for kind in KINDS]
    legacy = {old for kind in KINDS for old in kind.legacy}
    assert len(set(prefixes)) == len(prefixes)
    # Words a reader of the logs or a test knows, not the single letters of old.
    assert all(len(prefix) >= 3 for prefix in prefixes), prefixes
    assert not legacy & set(prefixes)


@pytest.mark.parametrize(("old", "meant"), LEGACY, ids=[old for old, _ in LEGACY])
def test_data_older_versions_put_on_buttons_still_means_the_same(router, old, meant):
    entry = router.button_for(old)
    assert entry is not None and entry.kind is type(meant)
    assert entry.kind.unpack(old) == meant
    # Built now, the same button carries the readable data, which reads back the same.
    new = meant.pack()
    assert new.split(":")[0] == type(meant).prefix
    assert router.button_for(new).kind is type(meant)
    assert type(meant).unpack(new) == meant


def test_the_table_of_old_data_covers_every_kind_with_a_legacy_prefix():
    covered = {type(meant) for _old, meant in LEGACY}
    assert {kind for kind in KINDS if kind.legacy} <= covered


def test_new_data_reads_prefix_then_fields():
    assert Answer("ktp_city", "yes", "barat").pack() == "ans:ktp_city:yes:barat"
    assert Answer("ktp_city", "yes").value == "yes"
    assert Answer("ktp_city", "yes", "barat").value == "yes:barat"
    assert Summary("edit").pack() == "summary:edit"  # what is None at the end is left out
    assert Summary("edit", 2).pack() == "summary:edit:2"
    assert RollMark(3, 7, True, 0).pack() == "rollmark:3:7:1:0"
    assert SessionList().pack() == "sessions"
    assert SeatGive(3, 7).pack() == "seatgive:3:7"


@pytest.mark.parametrize("build", [
    lambda: Answer("q" * 40, "v" * 30),  # 76 bytes
    lambda: Menu("é" * 30),  # 30 characters, but 65 bytes
    lambda: Answer("ktp_city", "yes:barat"),  # the separator inside a value
    lambda: Keep(""),
    lambda: SignUp("maybe", 3),  # not one of its words
    lambda: SignUp("join", "3"),  # a number as text
    lambda: SignUp("join", True),  # a bool is no session id
    lambda: Attend("yes", 10**19),  # more digits than a database id has
    lambda: Language("\ud800"),  # not text that can be sent
    lambda: SeatGive(3, None, 8),  # None before a later value
], ids=["over 64 bytes", "over 64 bytes in UTF-8", "separator", "empty", "not a choice",
        "text for a number", "bool for a number", "too many digits", "not valid text",
        "gap"])
def test_data_that_cannot_be_carried_is_refused_where_the_button_is_built(build):
    with pytest.raises(ButtonDataError):
        build()


def test_data_of_exactly_64_bytes_fits():
    question = "q" * (MAX_BYTES - len("keep:"))
    assert len(Keep(question).pack().encode()) == MAX_BYTES
    with pytest.raises(ButtonDataError, match="over 64 bytes"):
        Keep(question + "q")


def test_a_kind_that_cannot_be_packed_is_refused_when_it_is_defined_or_registered():
    with pytest.raises(TypeError, match="prefix"):
        @dataclass(frozen=True)
        class Shouting(ButtonData, prefix="LOUD"):
            word: str

    @dataclass(frozen=True)
    class Floating(ButtonData, prefix="floating"):
        amount: float

    with pytest.raises(TypeError, match="cannot be packed"):
        Router().button(Floating, _ignore)


async def _ignore(_ctx, _press) -> None:
    return None


def test_the_router_takes_classes_and_each_prefix_once():
    router = Router()
    with pytest.raises(TypeError):
        router.button("m", _ignore)  # type: ignore[arg-type]
    router.button(Menu, _ignore)
    with pytest.raises(ValueError, match="twice"):
        router.button(Menu, _ignore)

    @dataclass(frozen=True)
    class Shadow(ButtonData, prefix="shadow", legacy="menu:x"):
        """Old data "menu:x:…" would read as the new data of Menu."""

    with pytest.raises(ValueError, match="starts with"):
        router.button(Shadow, _ignore)


def test_the_longest_prefix_answers(router):
    assert router.button_for("stses:flow:yes").kind is SessionReply
    assert router.button_for("stses:show:3").kind is SessionAction
    assert router.button_for("bc:stop:5").kind is StopBroadcast
    assert router.button_for("bc:now").kind is SendChoice
    assert router.button_for("zz:1") is None
    assert router.button_for("") is None


# ---------------------------------------------------------------- what comes back is untrusted

_PIECES = st.sampled_from(["", ":", "0", "1", "-1", "07", "+3", "9" * 19, "yes", "join",
                           "edit", "ktp_city", "é", "\x00", " ", "a" * 70])
_FORGED = st.one_of(
    st.text(max_size=80),
    st.binary(max_size=80).map(lambda raw: raw.decode("utf-8", "surrogateescape")),
    st.builds(lambda head, parts: ":".join([head, *parts]),
              st.sampled_from([p for kind in KINDS for p in kind.prefixes()]),
              st.lists(_PIECES, max_size=6)),
)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(data=_FORGED)
def test_unpack_never_raises_and_what_it_accepts_is_packed_again_the_same(data):
    for kind in KINDS:
        press = kind.unpack(data)
        if press is not None:
            assert isinstance(press, kind)
            again = press.pack()
            assert kind.unpack(again) == press
            assert len(again.encode()) <= MAX_BYTES


@pytest.mark.parametrize("data", [None, 5, b"c:yes", ["c:yes"], "c:yes:extra", "sess:join",
                                  "sess:join:abc", "sess:join:", "sess:join:1:2", "s:edit:x",
                                  "stcame:here:1:2:5:0", "x" * 65, "a:" + "x" * 63])
def test_unpack_says_none_to_malformed_data(data):
    assert all(kind.unpack(data) is None for kind in KINDS)
