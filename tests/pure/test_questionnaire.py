"""The questionnaire definition is checked when loaded: the real one passes, broken ones fail."""

import pytest

from bot.questionnaire import Condition, Kind, Option, Question, Questionnaire, QuestionnaireError
from bot.questions import QUESTIONNAIRE

YN = (Option("yes", "Yes"), Option("no", "No"))


def test_the_shipped_questionnaire_is_valid_and_ids_are_stable():
    # Ids are stored with answers: this list may grow, but never change.
    assert [q.id for q in QUESTIONNAIRE.questions] == [
        "name", "business_name", "product_type", "product_other", "has_nib", "nib",
        "own_production", "quality", "capacity", "steady", "packaging", "ktp_city", "kecamatan",
        "export_experience", "phone",
    ]


@pytest.mark.parametrize(("questions", "problem"), [
    ((Question("a", Kind.TEXT, "A?", "A", validator="short_text"),
      Question("a", Kind.TEXT, "B?", "B", validator="short_text")), "used twice"),
    ((Question("a", Kind.TEXT, "A?", "A", validator="nope"),), "unknown validator"),
    ((Question("a", Kind.CHOICE, "A?", "A", options=(Option("x", "X"),)),), "at least two"),
    ((Question("a", Kind.CHOICE, "A?", "A", options=(Option("x", "X"), Option("x", "Y"))),),
     "same value"),
    ((Question("b", Kind.TEXT, "B?", "B", validator="short_text",
               condition=Condition("a", ("yes",))),
      Question("a", Kind.CHOICE, "A?", "A", options=YN)), "not an earlier question"),
    ((Question("a", Kind.CHOICE, "A?", "A", options=YN),
      Question("b", Kind.TEXT, "B?", "B", validator="short_text",
               condition=Condition("a", ("maybe",)))), "not options of"),
    ((Question("a", Kind.TEXT, "A?", "A", validator="short_text"),
      Question("b", Kind.TEXT, "B?", "B", validator="short_text",
               condition=Condition("a", ("x",)))), "must refer to a choice"),
    ((Question("Bad-Id", Kind.TEXT, "A?", "A", validator="short_text"),), "id must be"),
    ((Question("a", Kind.CHOICE, "A?", "A", options=(Option("x" * 17, "X"), Option("y", "Y"))),),
     "option value"),
    ((Question("a", Kind.TEXT, "", "A", validator="short_text"),), "must not be empty"),
    ((Question("a", Kind.MULTI, "A?", "A", options=YN, exclusive=("maybe",)),), "exclusive"),
    ((), "no questions"),
])
def test_broken_questionnaires_are_refused_with_the_reason(questions, problem):
    with pytest.raises(QuestionnaireError, match=problem):
        Questionnaire("test", questions)


def test_a_questionnaire_whose_buttons_would_not_fit_in_64_bytes_is_refused():
    # Telegram refuses callback data over 64 bytes; the shipped questionnaire loaded, so its
    # buttons fit. One that would not is refused when it is built (here, in the test).
    too_long = Question("q" * 62, Kind.CHOICE, "A?", "A", options=YN)
    with pytest.raises(QuestionnaireError, match="over 64 bytes"):
        Questionnaire("test", (too_long,))
