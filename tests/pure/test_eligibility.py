"""Eligibility criteria and the 4K+1A readiness score."""

import pytest

from bot.config import QuestionnaireConfig
from bot.eligibility import evaluate

CONFIG = QuestionnaireConfig()
GOOD = {
    "has_nib": "yes", "nib": "1234567890123", "own_production": "own",
    "quality": ["sni", "halal"], "capacity": {"amount": 300, "unit": "potong",
                                              "class": "pieces", "base": 300},
    "steady": "steady", "packaging": "export", "ktp_city": "yes",
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
    ({"ktp_city": "no"}, ("ktp",)),
    ({"has_nib": "no", "ktp_city": "no", "quality": ["none"]}, ("nib", "quality", "ktp")),
])
def test_every_unmet_criterion_is_listed_in_order(change, unmet):
    result = evaluate({**GOOD, **change}, CONFIG)
    assert not result.eligible and result.unmet == unmet


def test_partly_own_production_counts_as_own_production():
    assert evaluate({**GOOD, "own_production": "partly"}, CONFIG).eligible


def test_thresholds_come_from_config():
    small = {**GOOD, "capacity": {"amount": 5, "unit": "kodi", "class": "pieces", "base": 100}}
    assert evaluate(small, CONFIG).eligible
    assert not evaluate(small, QuestionnaireConfig(min_monthly_pieces=101)).eligible


def test_readiness_ranks_a_steadier_better_packed_business_higher():
    weaker = evaluate({**GOOD, "steady": "seasonal", "packaging": "none"}, CONFIG)
    assert weaker.readiness < evaluate(GOOD, CONFIG).readiness
    assert weaker.parts["kontinuitas"] == 5 and weaker.parts["kemasan"] == 0
