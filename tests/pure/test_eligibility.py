"""Eligibility criteria and the readiness score, and the rules checked against the questionnaire."""

from dataclasses import replace

import pytest

from bot.config import QuestionnaireConfig
from bot.criteria import RULES, Advice, Answer, Part, check
from bot.eligibility import evaluate, final_unmet
from bot.questionnaire import Kind, Option, Question, Questionnaire, QuestionnaireError
from bot.questions import QUESTIONNAIRE, QUESTIONS
from bot.validators import VALIDATORS

CONFIG = QuestionnaireConfig()
GOOD = {
    "has_nib": "yes", "nib": "1234567890123", "own_production": "own",
    "quality": ["sni", "halal"], "capacity": {"amount": 300, "unit": "potong",
                                              "class": "pieces", "base": 300},
    "steady": "steady", "packaging": "export", "ktp_city": "yes", "kecamatan": "barat",
}


def test_all_criteria_met_is_eligible_with_full_readiness():
    result = evaluate(GOOD, CONFIG)
    assert result.eligible and result.unmet == ()
    assert result.parts == {"kualitas": 20, "kuantitas": 15, "kontinuitas": 20,
                            "kemasan": 20, "administrasi": 20}
    assert result.readiness == 95


@pytest.mark.parametrize(("change", "unmet"), [
    ({"has_nib": "no", "nib": None}, ("nib",)),
    ({"own_production": "resell"}, ("own_production",)),
    ({"quality": ["none"]}, ("quality",)),
    ({"capacity": {"amount": 50, "unit": "kg", "class": "kg", "base": 50}}, ("quantity",)),
    ({"ktp_city": "no", "kecamatan": None}, ("ktp",)),
    ({"ktp_city": "kabupaten", "kecamatan": None}, ("ktp",)),
    ({"kecamatan": "other"}, ("ktp",)),  # "Yes, the city", then a kecamatan outside it
    ({"has_nib": "no", "ktp_city": "no", "quality": ["none"]}, ("nib", "quality", "ktp")),
])
def test_every_unmet_criterion_is_listed_in_order(change, unmet):
    answers = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    result = evaluate(answers, CONFIG)
    assert not result.eligible and result.unmet == unmet


def test_partly_own_production_counts_as_own_production():
    assert evaluate({**GOOD, "own_production": "partly"}, CONFIG).eligible


def test_thresholds_come_from_config():
    small = {**GOOD, "capacity": {"amount": 5, "unit": "kodi", "class": "pieces", "base": 100}}
    assert evaluate(small, CONFIG).eligible
    assert not evaluate(small, QuestionnaireConfig(min_monthly_pieces=101)).eligible


def test_a_weekly_producer_is_judged_on_the_monthly_figure():
    # 30 kg a week is about 130 kg a month: above the 100 kg minimum (read as monthly, refused).
    weekly = VALIDATORS["capacity"]("30 kg per minggu").value
    assert evaluate({**GOOD, "capacity": weekly}, CONFIG).eligible
    monthly = VALIDATORS["capacity"]("30 kg").value
    assert evaluate({**GOOD, "capacity": monthly}, CONFIG).unmet == ("quantity",)


def test_readiness_ranks_a_steadier_better_packed_business_higher():
    weaker = evaluate({**GOOD, "steady": "seasonal", "packaging": "none"}, CONFIG)
    assert weaker.readiness < evaluate(GOOD, CONFIG).readiness
    assert weaker.parts["kontinuitas"] == 5 and weaker.parts["kemasan"] == 0


@pytest.mark.parametrize(("answers", "told"), [
    ({"ktp_city": "kabupaten"}, ["ktp"]),
    ({"ktp_city": "no"}, ["ktp"]),
    ({"ktp_city": "yes"}, []),  # the kecamatan is still to come
    ({"ktp_city": "yes", "kecamatan": "other"}, ["ktp"]),
    ({"ktp_city": "yes", "kecamatan": "utara"}, []),
    ({"ktp_city": "yes", "kecamatan": "utara", "has_nib": "no"}, []),  # an NIB can be got
    ({}, []),
])
def test_only_criteria_the_owner_cannot_fix_are_told_at_once(answers, told):
    assert [c.id for c in final_unmet(answers, QUESTIONNAIRE, CONFIG)] == told


def test_the_shipped_rules_match_the_shipped_questionnaire():
    check(RULES, QUESTIONNAIRE)


def _without_option(question_id: str, value: str) -> Questionnaire:
    """The questionnaire with one option taken away, as a careless edit would leave it."""
    questions = []
    for q in QUESTIONS:
        if q.id == question_id:
            q = replace(q, options=tuple(o for o in q.options if o.value != value))
        questions.append(q)
    return Questionnaire("broken", tuple(questions))


@pytest.mark.parametrize(("questionnaire", "rules", "sentence"), [
    (_without_option("ktp_city", "kabupaten"), RULES,
     "The eligibility rules do not match the questionnaire: criterion 'ktp' refers to option "
     "'kabupaten' of question 'ktp_city', which it does not have."),
    (_without_option("steady", "varies"), RULES,
     "The readiness scores do not match the questionnaire: part 'kontinuitas' refers to "
     "option 'varies' of question 'steady', which it does not have."),
    (Questionnaire("broken", tuple(q for q in QUESTIONS if q.id != "packaging")), RULES,
     "The readiness scores do not match the questionnaire: part 'kemasan' refers to "
     "question 'packaging', which the questionnaire does not have."),
    (QUESTIONNAIRE, replace(RULES, criteria=(replace(
        RULES.criteria[2], hint=(Advice("x", Answer("product_type", ("batiks",))),)),)),
     "The eligibility rules do not match the questionnaire: criterion 'quality' refers to "
     "option 'batiks' of question 'product_type', which it does not have."),
    (QUESTIONNAIRE, replace(RULES, parts=(Part("kemasan", "P", "packaging", by_count=(0, 20)),)),
     "The readiness scores do not match the questionnaire: part 'kemasan' refers to question "
     "'packaging', which is not a question of that kind."),
    (QUESTIONNAIRE, replace(RULES, parts=(Part("kuantitas", "Q", "capacity", measure="size"),)),
     "The readiness scores do not match the questionnaire: part 'kuantitas' refers to the "
     "measure 'size', which does not exist."),
])
def test_rules_naming_what_the_questionnaire_lacks_stop_with_one_sentence(
        questionnaire, rules, sentence):
    with pytest.raises(QuestionnaireError) as raised:
        check(rules, questionnaire)
    assert str(raised.value) == sentence


def test_a_question_kind_mismatch_in_the_fixture_is_a_real_questionnaire():
    # The broken fixtures above are valid questionnaires: only the rules are wrong.
    q = Questionnaire("ok", (Question("x", Kind.CHOICE, "X?", "X",
                                      options=(Option("a", "A"), Option("b", "B"))),))
    with pytest.raises(QuestionnaireError, match="criterion 'nib' refers to question 'has_nib'"):
        check(RULES, q)
