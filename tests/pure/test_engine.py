"""The questionnaire engine: pure, table-driven, no event loop."""

import itertools

import pytest

from bot import engine
from bot.engine import (
    Ask,
    Back,
    Choose,
    Contact,
    Done,
    Edit,
    Form,
    Keep,
    Review,
    Show,
    Text,
    Toggle,
)
from bot.questions import QUESTIONNAIRE
from tests.support.script import ELIGIBLE, NOT_ELIGIBLE

Q = QUESTIONNAIRE

# KTP (with its kecamatan), name, business, product, NIB (typed in the NIB question), own
# production, SNI, Halal, Done, capacity, steady, packaging, export, phone.
ELIGIBLE_PATH = ELIGIBLE.inputs()
AT = {"ktp_city": 0, "name": 1, "business_name": 2, "product_type": 3, "has_nib": 4,
      "own_production": 5, "quality": 6, "capacity": 9, "steady": 10, "packaging": 11,
      "export_experience": 12, "phone": 13}


def run(inputs, form=None):
    """Apply inputs in order; return the last step."""
    form = form or Form()
    step = engine.step(Q, form, Show())
    for given in inputs:
        step = engine.step(Q, step.form, given)
    return step


def upto(question_id):
    """The eligible owner's inputs before `question_id` is asked."""
    return ELIGIBLE_PATH[:AT[question_id]]


def test_the_deciding_ktp_question_comes_first():
    shown = engine.view(Q, Form())
    assert isinstance(shown, Ask)
    assert (shown.question.id, shown.number, shown.total, shown.first) == ("ktp_city", 1, 12,
                                                                           True)
    assert shown.inline is not None and shown.inline.id == "kecamatan"


def test_the_eligible_path_ends_in_the_summary_with_every_answer():
    step = run(ELIGIBLE_PATH)
    assert isinstance(step.next, Review)
    assert step.form.answers["ktp_city"] == "yes" and step.form.answers["kecamatan"] == "barat"
    assert step.form.answers["has_nib"] == "yes" and step.form.answers["nib"] == "1234567890123"
    assert step.form.answers["quality"] == ["sni", "halal"]
    assert step.form.answers["phone"] == "+6281234567890"
    assert step.form.answers["capacity"]["base"] == 400  # 20 kodi of 20 pieces
    assert [q.id for q in step.next.questions] == [
        "ktp_city", "kecamatan", "name", "business_name", "product_type", "has_nib", "nib",
        "own_production", "quality", "capacity", "steady", "packaging", "export_experience",
        "phone",
    ]


@pytest.mark.parametrize(("inputs", "question", "number"), [
    ([], "ktp_city", 1),
    (upto("name"), "name", 2),
    (upto("product_type"), "product_type", 4),
    (upto("has_nib"), "has_nib", 5),
    ([*upto("has_nib"), Choose("has_nib", "no")], "own_production", 6),
    (upto("phone"), "phone", 12),
    ([Choose("ktp_city", "yes")], "kecamatan", 1),  # a follow-up alone keeps its parent's number
])
def test_progress_numbers_the_questions_every_owner_is_asked(inputs, question, number):
    shown = run(inputs).next
    assert isinstance(shown, Ask)
    assert (shown.question.id, shown.number, shown.total) == (question, number, 12)


@pytest.mark.parametrize("persona", [ELIGIBLE, NOT_ELIGIBLE,
                                     ELIGIBLE.but(product_type="other", product_other="Keripik")])
def test_progress_never_goes_back_skips_or_changes_its_total(persona):
    inputs = persona.inputs()
    shown = [run(inputs[:count]).next for count in range(len(inputs))]
    numbers = [s.number for s in shown if isinstance(s, Ask)]
    assert {s.total for s in shown if isinstance(s, Ask)} == {12}
    assert numbers[0] == 1 and numbers[-1] == 12
    assert all(0 <= b - a <= 1 for a, b in itertools.pairwise(numbers))


def test_no_nib_skips_the_nib_number():
    step = run([*upto("has_nib"), Choose("has_nib", "no")])
    assert step.next.question.id == "own_production"
    assert "nib" not in step.form.answers


def test_the_nib_typed_in_the_nib_question_answers_both():
    step = run([*upto("has_nib"), Text("1234-5678-90123")])
    assert step.save == {"has_nib": "yes", "nib": "1234567890123"}
    assert step.answered.id == "has_nib" and step.also.id == "nib"
    assert step.next.question.id == "own_production"


def test_a_kecamatan_chosen_in_the_ktp_question_answers_both():
    step = run([Choose("ktp_city", "yes:utara")])
    assert step.save == {"ktp_city": "yes", "kecamatan": "utara"}
    assert step.next.question.id == "name"


@pytest.mark.parametrize("data", ["yes:kedungwuni", "no:barat", "maybe", "yes:barat:x"])
def test_forged_inline_choices_change_nothing(data):
    step = run([Choose("ktp_city", data)])
    assert step.stale and not step.save


def test_changing_has_nib_to_no_drops_the_stored_nib():
    step = run(ELIGIBLE_PATH)
    step = engine.step(Q, step.form, Edit("nib"))  # the number is changed in its question
    assert step.next.question.id == "has_nib" and step.next.previous == "yes"
    assert step.next.inline_previous == "1234567890123"
    step = engine.step(Q, step.form, Choose("has_nib", "no"))
    assert step.drop == ("nib",)
    assert "nib" not in step.form.answers
    assert isinstance(step.next, Review)


@pytest.mark.parametrize(("given", "reason_part"), [
    (Text("12345"), "13 digits"),
    (Text(""), "empty"),
    (Contact("081234567890"), "not needed"),
])
def test_invalid_answers_re_ask_the_same_question_with_the_reason(given, reason_part):
    step = run([*upto("has_nib"), given])
    assert isinstance(step.next, Ask) and step.next.question.id == "has_nib"
    assert reason_part in step.next.error.reason
    assert not step.save


def test_typing_on_a_choice_question_asks_for_a_button():
    step = run([*upto("product_type"), Text("batik")])
    assert step.next.question.id == "product_type"
    assert "buttons" in step.next.error.reason


@pytest.mark.parametrize("given", [
    Choose("has_nib", "yes"),  # a question that is not being asked
    Choose("product_type", "forged"),  # an option that does not exist
    Toggle("product_type", "batik"),  # the wrong kind of button
    Done("product_type"),
    Back("name"),
    Edit("nib"),  # not relevant yet
    Keep("product_type"),  # nothing to keep yet
])
def test_stale_or_forged_buttons_change_nothing(given):
    before = run(upto("product_type"))
    step = engine.step(Q, before.form, given)
    assert step.stale
    assert step.form == before.form and not step.save


def test_pressing_the_same_answer_button_twice_answers_once():
    first = run([*upto("product_type"), Choose("product_type", "batik")])
    second = engine.step(Q, first.form, Choose("product_type", "batik"))
    assert second.stale and second.form == first.form


def test_back_goes_to_the_previous_question_and_shows_the_old_answer():
    step = run([*upto("has_nib"), Back("has_nib")])
    assert step.next.question.id == "product_type" and step.next.previous == "batik"
    assert step.form.cursor == "product_type" and step.form.walk
    step = engine.step(Q, step.form, Choose("product_type", "fish"))
    assert step.next.question.id == "has_nib"  # the next question, unanswered
    assert step.form.answers["product_type"] == "fish" and step.form.cursor is None


def test_back_to_a_follow_up_asked_inline_goes_to_its_question():
    step = run([*upto("name"), Back("name")])
    assert step.next.question.id == "ktp_city"
    assert (step.next.previous, step.next.inline_previous) == ("yes", "barat")


def test_back_on_the_first_question_explains_itself():
    step = run([Back()])
    assert step.next.question.id == "ktp_city" and "first question" in step.next.error.reason


def test_back_from_the_summary_goes_to_the_last_question():
    step = run([*ELIGIBLE_PATH, Back()])
    assert step.next.question.id == "phone"


@pytest.mark.parametrize(("after", "then", "expected"), [
    # Two steps back from the capacity (9 -> 7), then an answer: the next question is 8, with
    # its answer to keep, then 9 -- not a jump to 9 (issue 12, item 5).
    ([Back(), Back()], [Choose("own_production", "partly")], ["quality"]),
    ([Back(), Back()], [Choose("own_production", "own"), Done("quality")],
     ["quality", "capacity"]),
    ([Back(), Back(), Back()], [Keep("has_nib"), Choose("own_production", "own")],
     ["own_production", "quality"]),
    # Typed answers can be kept too, with their current answer shown.
    ([Back(), Back(), Back(), Back(), Back()],
     [Keep("business_name"), Choose("product_type", "batik")],
     ["product_type", "has_nib"]),
])
def test_after_going_back_next_is_the_next_question_with_its_answer(after, then, expected):
    step = run([*upto("capacity"), *after])
    seen = []
    for given in then:
        step = engine.step(Q, step.form, given)
        assert not step.stale and step.next.error is None, given
        seen.append(step.next.question.id)
    assert seen == expected
    if seen[-1] != "capacity":
        assert step.next.previous is not None  # shown with the answer it has


def test_keeping_answers_saves_nothing_and_leaves_a_result_valid():
    step = run([*ELIGIBLE_PATH[:AT["steady"]], Back()])
    assert step.next.question.id == "capacity" and step.next.previous["amount"] == 20
    step = engine.step(Q, step.form, Keep("capacity"))
    assert step.save == {} and step.drop == ()
    assert step.next.question.id == "steady" and step.form.cursor is None


def test_a_walk_back_to_the_end_reaches_the_summary():
    step = run([*ELIGIBLE_PATH, Back(), Back()])
    assert step.next.question.id == "export_experience"
    step = engine.step(Q, step.form, Choose("export_experience", "direct"))
    assert step.next.question.id == "phone" and step.next.previous == "+6281234567890"
    step = engine.step(Q, step.form, Keep("phone"))
    assert isinstance(step.next, Review)


def test_an_edit_from_the_summary_goes_back_to_the_summary():
    step = run([*ELIGIBLE_PATH, Edit("name")])
    assert not step.form.walk
    step = engine.step(Q, step.form, Text("Budi S."))
    assert isinstance(step.next, Review) and step.save == {"name": "Budi S."}


def test_an_edit_in_the_middle_returns_to_the_first_unanswered_question():
    step = run([*upto("quality"), Edit("name")])
    step = engine.step(Q, step.form, Text("Budi S."))
    assert step.next.question.id == "quality"


def test_multi_select_toggles_and_none_is_exclusive():
    step = run([*upto("quality"), Toggle("quality", "sni"), Toggle("quality", "none")])
    assert step.next.draft == ("none",)
    step = engine.step(Q, step.form, Toggle("quality", "bpom"))
    assert step.next.draft == ("bpom",)
    step = engine.step(Q, step.form, Toggle("quality", "bpom"))
    assert step.next.draft == ()
    step = engine.step(Q, step.form, Done("quality"))
    assert "at least one" in step.next.error.reason


def test_editing_a_multi_answer_starts_from_the_stored_choices():
    step = run([*ELIGIBLE_PATH, Edit("quality")])
    assert step.next.draft == ("sni", "halal")
    step = engine.step(Q, step.form, Toggle("quality", "halal"))
    step = engine.step(Q, step.form, Done("quality"))
    assert step.form.answers["quality"] == ["sni"] and isinstance(step.next, Review)


def test_contact_from_someone_else_is_refused():
    step = run([*ELIGIBLE_PATH[:-1], Contact("081234567890", own=False)])
    assert step.next.question.id == "phone" and "own number" in step.next.error.reason


def test_the_engine_is_deterministic_and_does_not_mutate_its_input():
    form = run(upto("own_production")).form
    snapshot = dict(form.answers)
    a = engine.step(Q, form, Choose("own_production", "own"))
    b = engine.step(Q, form, Choose("own_production", "own"))
    assert a == b and dict(form.answers) == snapshot
