"""What staff type: one reader of dates and times for every place they give one, and the named
validators of the staff's questions (a session's title, place, seats, start; an announcement's
time; a link's name)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.typed_dates import example, read_moment
from bot.validators import VALIDATORS, Invalid, Valid, check, known

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2027, 10, 6, 9, 0, tzinfo=WIB)  # Rabu, 6 Oktober 2027 09.00 WIB
CREATED = datetime(2027, 9, 1, 9, 0, tzinfo=WIB)
NOW_WIB = datetime(2027, 9, 1, 9, 0, tzinfo=WIB)  # a Wednesday


@pytest.mark.parametrize(("typed", "expected"), [
    ("2027-10-01 09:00", datetime(2027, 10, 1, 9, 0, tzinfo=WIB)),
    ("2027-10-01 9.30 WIB", datetime(2027, 10, 1, 9, 30, tzinfo=WIB)),
    ("1/10/2027 08:15", datetime(2027, 10, 1, 8, 15, tzinfo=WIB)),
    ("01-10 14.00", datetime(2027, 10, 1, 14, 0, tzinfo=WIB)),
    ("1/8 10:00", datetime(2028, 8, 1, 10, 0, tzinfo=WIB)),  # gone this year: next year's
    ("besok 09:00", datetime(2027, 9, 2, 9, 0, tzinfo=WIB)),
    ("Tomorrow at 7:05", datetime(2027, 9, 2, 7, 5, tzinfo=WIB)),
    ("hari ini pukul 15:00", datetime(2027, 9, 1, 15, 0, tzinfo=WIB)),
    ("15:00", datetime(2027, 9, 1, 15, 0, tzinfo=WIB)),
    ("08:00", datetime(2027, 9, 2, 8, 0, tzinfo=WIB)),  # passed today: tomorrow
    ("2027-02-30 09:00", None),
    ("25:00", None),
    ("next week", None),
    ("", None),
])
def test_typed_times_are_read_as_wib(typed, expected):
    assert read_moment(typed, NOW_WIB) == expected



@pytest.mark.parametrize(("typed", "expected"), [
    ("2027-10-06 09:00", START),
    ("2027-10-06T09:00", START),
    ("6/10/2027 09.00", START),
    ("06-10-2027 9:00", START),
    ("6.10.2027 09:00 WIB", START),
    ("6 Oktober 2027 09.00", START),
    ("Rabu, 6 Oktober 2027 pukul 09.00 WIB", START),
    ("6 Okt 2027 jam 09.00", START),
    ("Wednesday, 6 October 2027 at 9:00", START),
    ("6 oct 2027 09:00", START),
    ("31/2/2027 09.00", None),
    ("6/10/2027 25.00", None),
    ("6/10/2027", None),
    ("besok pagi", None),
    ("6 Oktobre 2027 09.00", None),
    ("", None),
])
def test_staff_type_dates_the_way_they_write_them(typed, expected):
    assert read_moment(typed, CREATED) == expected


def test_a_typed_start_must_be_in_the_future():
    assert check("start_time", "6/10/2027 09.00", CREATED) == Valid(START.isoformat())
    assert isinstance(check("start_time", "6/10/2027 09.00", START), Invalid)
    assert isinstance(check("start_time", "kemarin", CREATED), Invalid)


@pytest.mark.parametrize(("typed", "expected"), [
    ("30", 30), (" 1 ", 1), ("1.000", 1000), ("10000", 10000),
    ("0", None), ("10001", None), ("tiga puluh", None), ("-5", None), ("", None),
])
def test_capacity(typed, expected):
    result = VALIDATORS["seats"](typed)
    assert (result.value if isinstance(result, Valid) else None) == expected


def test_the_one_example_is_tomorrow_at_nine_the_way_the_office_writes_dates():
    assert example(NOW_WIB) == "2/9/2027 09.00"
    assert read_moment(example(NOW_WIB), NOW_WIB) == datetime(2027, 9, 2, 9, 0, tzinfo=WIB)
    refused = check("start_time", "kapan-kapan", NOW_WIB)
    assert isinstance(refused, Invalid) and refused.params == {"example": "2/9/2027 09.00"}
    later = check("send_time", "besok", NOW_WIB)
    assert isinstance(later, Invalid) and later.params == {"example": "2/9/2027 09.00"}


@pytest.mark.parametrize(("typed", "expected"), [
    ("besok 08:00", datetime(2027, 9, 2, 8, 0, tzinfo=WIB)),
    ("1/9/2028 09.00", datetime(2028, 9, 1, 9, 0, tzinfo=WIB)),  # a year ahead, to the day
    ("2/9/2028 09.00", None),  # more than a year ahead
    ("08:59", datetime(2027, 9, 2, 8, 59, tzinfo=WIB)),  # passed today: tomorrow's
    ("1/9/2027 08.00", None),  # passed
])
def test_an_announcement_is_scheduled_within_the_coming_year(typed, expected):
    result = check("send_time", typed, NOW_WIB)
    assert (datetime.fromisoformat(result.value) if isinstance(result, Valid) else None) \
        == expected


def test_a_timed_validator_needs_the_time():
    assert known("start_time") and known("seats") and not known("tomorrow")
    with pytest.raises(ValueError):
        check("start_time", "besok 09.00")


@pytest.mark.parametrize(("name", "typed", "expected"), [
    ("session_title", "Pelatihan Ekspor Oktober 2027", "Pelatihan Ekspor Oktober 2027"),
    ("session_title", "x", None),
    ("session_place", "  Aula   Dindagkop-UKM ", "Aula Dindagkop-UKM"),
    ("session_place", "", None),
    ("link_name", "poster-batik", "poster-batik"),
    ("link_name", "poster batik", None),
    ("link_name", "x" * 65, None),
    ("choice_key", "12", "12"),
    ("choice_key", "Budi; DROP", None),
])
def test_the_staff_questions_validators(name, typed, expected):
    result = check(name, typed)
    assert (result.value if isinstance(result, Valid) else None) == expected


def test_the_staff_questionnaires_are_valid_and_their_validators_exist():
    from bot import staff_questions

    forms = [staff_questions.CREATE, staff_questions.MOVE, staff_questions.LINK,
             staff_questions.ANNOUNCEMENT, *staff_questions.EDIT.values()]
    assert all(known(q.validator) for form in forms for q in form.questions if q.validator)
    assert set(staff_questions.EDIT) == set(staff_questions.EDIT_CONFIRMS)


def test_the_engine_asks_the_staff_questionnaires_and_gives_timed_validators_the_time():
    from bot import engine
    from bot.engine import Ask, Form, Review, Text
    from bot.staff_questions import CREATE, MOVE

    moved = engine.step(MOVE, Form(), Text("besok 09.00"), now=NOW_WIB)
    assert isinstance(moved.next, Review)
    assert moved.save == {"starts_at": datetime(2027, 9, 2, 9, 0, tzinfo=WIB).isoformat()}
    passed = engine.step(MOVE, Form(), Text("1/9/2027 08.00"), now=NOW_WIB)
    assert isinstance(passed.next, Ask) and passed.next.error is not None
    assert passed.next.error.reason.startswith("That moment has passed")
    with pytest.raises(ValueError):  # a date "in the future" needs the time
        engine.step(MOVE, Form(), Text("besok 09.00"))
    form, shown = Form(), []
    for typed in ("Pelatihan Ekspor Oktober 2027", "6/10/2027 09.00", "Aula", "30"):
        ask = engine.view(CREATE, form)
        assert isinstance(ask, Ask)
        shown.append((ask.question.id, ask.number, ask.total))
        form = engine.step(CREATE, form, Text(typed), now=NOW_WIB).form
    assert shown == [("title", 1, 4), ("starts_at", 2, 4), ("place", 3, 4), ("capacity", 4, 4)]
    assert isinstance(engine.view(CREATE, form), Review)
    assert dict(form.answers) == {"title": "Pelatihan Ekspor Oktober 2027",
                                  "starts_at": START.isoformat(), "place": "Aula",
                                  "capacity": 30}
