"""The questionnaire definition is checked when loaded: the real one passes, broken ones fail."""

import pytest

from bot.questionnaire import Condition, Kind, Option, Question, Questionnaire, QuestionnaireError
from bot.questions import QUESTIONNAIRE

YN = (Option("yes", "Yes"), Option("no", "No"))


# Question ids and option values stored with answers since the first version: they may be
# reordered and added to, never renamed (a stored answer must still read right).
STORED = {
    "name": (), "business_name": (), "product_type": ("batik", "fish", "other"),
    "product_other": (), "has_nib": ("yes", "no"), "nib": (),
    "own_production": ("own", "partly", "resell"),
    "quality": ("sni", "halal", "pirt", "bpom", "other", "none"), "capacity": (),
    "steady": ("steady", "varies", "seasonal"), "packaging": ("export", "basic", "none"),
    "ktp_city": ("yes", "no"), "kecamatan": ("barat", "timur", "utara", "selatan"),
    "export_experience": ("none", "third_party", "direct"), "phone": (),
}


def test_the_shipped_questionnaire_is_valid_and_ids_are_stable():
    questions = {q.id: q for q in QUESTIONNAIRE.questions}
    assert set(STORED) <= set(questions)
    for question_id, values in STORED.items():
        assert set(values) <= {o.value for o in questions[question_id].options}, question_id


def test_the_deciding_ktp_question_comes_first_and_says_kota_is_not_kabupaten():
    first = QUESTIONNAIRE.questions[0]
    assert first.id == "ktp_city" and "Kota Pekalongan only, not the Kabupaten" in first.hint
    assert first.option("kabupaten") is not None and "kedungwuni" in first.option(
        "kabupaten").aliases


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_button_label_of_the_questionnaire_fits_whatsapp(language):
    from tests.support.config import catalogs

    tr = catalogs().get(language)
    for q in QUESTIONNAIRE.questions:
        assert len(tr.gettext(q.short)) <= 20, q.short  # the "change which answer" buttons
        for o in q.options:
            prefix = "✅ " if q.kind == Kind.MULTI else ""
            assert len(prefix + tr.gettext(o.label)) <= 20, (q.id, o.value)
            assert not o.description or len(tr.gettext(o.description)) <= 72, (q.id, o.value)


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
    ((Question("a", Kind.CHOICE, "A?", "A", options=(Option("y", "Y", inline="b"),
                                                     Option("n", "N"))),
      Question("b", Kind.TEXT, "B?", "B", validator="short_text")), "asks 'b' inline"),
    ((Question("a", Kind.CHOICE, "A?", "A", options=(Option("y", "Y", inline="b"),
                                                     Option("n", "N", inline="b"))),
      Question("b", Kind.TEXT, "B?", "B", validator="short_text",
               condition=Condition("a", ("y",)))), "only one option"),
    ((Question("a", Kind.CHOICE, "A?", "A", options=(Option("y", "Y", aliases=("Big",)),
                                                     Option("n", "N"))),), "lower case"),
    ((Question("a", Kind.TEXT, "A?", "A", validator="short_text", summary_with="z"),),
     "summary_with"),
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
