"""The questionnaire engine: pure, table-driven, no event loop."""

import pytest

from bot import engine
from bot.engine import Ask, Back, Choose, Contact, Done, Edit, Form, Review, Show, Text, Toggle
from bot.questions import QUESTIONNAIRE
from tests.support.script import ELIGIBLE

Q = QUESTIONNAIRE

ELIGIBLE_PATH = ELIGIBLE.inputs()


def run(inputs, form=None):
    """Apply inputs in order; return the last step."""
    form = form or Form()
    step = engine.step(Q, form, Show())
    for given in inputs:
        step = engine.step(Q, step.form, given)
    return step


def test_a_new_form_asks_the_first_question_of_all_that_may_apply():
    shown = engine.view(Q, Form())
    assert isinstance(shown, Ask)
    assert (shown.question.id, shown.number, shown.total, shown.first) == ("name", 1, 15, True)


def test_the_eligible_path_ends_in_the_summary_with_every_answer():
    step = run(ELIGIBLE_PATH)
    assert isinstance(step.next, Review)
    assert step.form.answers["nib"] == "1234567890123"
    assert step.form.answers["quality"] == ["sni", "halal"]
    assert step.form.answers["phone"] == "+6281234567890"
    assert step.form.answers["capacity"]["base"] == 400  # 20 kodi of 20 pieces
    assert [q.id for q in step.next.questions] == [
        "name", "business_name", "product_type", "has_nib", "nib", "own_production", "quality",
        "capacity", "steady", "packaging", "ktp_city", "kecamatan", "export_experience", "phone",
    ]


@pytest.mark.parametrize(("inputs", "question", "number", "total"), [
    ([], "name", 1, 15),
    (ELIGIBLE_PATH[:2], "product_type", 3, 15),
    (ELIGIBLE_PATH[:3], "has_nib", 4, 14),  # batik: no "other product" question
    (ELIGIBLE_PATH[:4], "nib", 5, 14),
    ([*ELIGIBLE_PATH[:3], Choose("has_nib", "no")], "own_production", 5, 13),
    (ELIGIBLE_PATH[:13], "kecamatan", 12, 14),
])
def test_progress_counts_only_questions_that_apply(inputs, question, number, total):
    shown = run(inputs).next
    assert isinstance(shown, Ask)
    assert (shown.question.id, shown.number, shown.total) == (question, number, total)


def test_the_total_never_grows_along_the_way():
    totals = []
    for count in range(len(ELIGIBLE_PATH)):
        shown = run(ELIGIBLE_PATH[:count]).next
        totals.append(shown.total)
    assert totals == sorted(totals, reverse=True)


def test_no_nib_skips_the_nib_number_question():
    step = run([*ELIGIBLE_PATH[:3], Choose("has_nib", "no")])
    assert step.next.question.id == "own_production"


def test_changing_has_nib_to_no_drops_the_stored_nib():
    step = run(ELIGIBLE_PATH)
    step = engine.step(Q, step.form, Edit("has_nib"))
    assert step.next.question.id == "has_nib" and step.next.previous == "yes"
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
    step = run([*ELIGIBLE_PATH[:4], given])
    assert isinstance(step.next, Ask) and step.next.question.id == "nib"
    assert reason_part in step.next.error.reason
    assert not step.save


def test_typing_on_a_choice_question_asks_for_a_button():
    step = run([*ELIGIBLE_PATH[:2], Text("batik")])
    assert step.next.question.id == "product_type"
    assert "buttons" in step.next.error.reason


@pytest.mark.parametrize("given", [
    Choose("has_nib", "yes"),  # a question that is not being asked
    Choose("product_type", "forged"),  # an option that does not exist
    Toggle("product_type", "batik"),  # the wrong kind of button
    Done("product_type"),
    Back("name"),
    Edit("nib"),  # not relevant yet
])
def test_stale_or_forged_buttons_change_nothing(given):
    before = run(ELIGIBLE_PATH[:2])
    step = engine.step(Q, before.form, given)
    assert step.stale
    assert step.form == before.form and not step.save


def test_pressing_the_same_answer_button_twice_answers_once():
    first = run([*ELIGIBLE_PATH[:2], Choose("product_type", "batik")])
    second = engine.step(Q, first.form, Choose("product_type", "batik"))
    assert second.stale and second.form == first.form


def test_back_goes_to_the_previous_question_and_shows_the_old_answer():
    step = run([*ELIGIBLE_PATH[:3], Back("has_nib")])
    assert step.next.question.id == "product_type" and step.next.previous == "batik"
    assert step.form.cursor == "product_type"
    step = engine.step(Q, step.form, Choose("product_type", "fish"))
    assert step.next.question.id == "has_nib"  # back to where the owner was
    assert step.form.answers["product_type"] == "fish" and step.form.cursor is None


def test_back_on_the_first_question_explains_itself():
    step = run([Back()])
    assert step.next.question.id == "name" and "first question" in step.next.error.reason


def test_back_from_the_summary_goes_to_the_last_question():
    step = run([*ELIGIBLE_PATH, Back()])
    assert step.next.question.id == "phone"


def test_multi_select_toggles_and_none_is_exclusive():
    step = run([*ELIGIBLE_PATH[:6], Toggle("quality", "sni"), Toggle("quality", "none")])
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
    form = run(ELIGIBLE_PATH[:5]).form
    snapshot = dict(form.answers)
    a = engine.step(Q, form, Choose("own_production", "own"))
    b = engine.step(Q, form, Choose("own_production", "own"))
    assert a == b and dict(form.answers) == snapshot
