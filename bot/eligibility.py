"""Eligibility (the four criteria) and readiness (4K+1A), computed from stored answers.

Pure functions: the same answers and thresholds always give the same result, so the result
can be recomputed by staff tools and tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.config import QuestionnaireConfig

# Criteria in the order they are explained to the owner; ids are stored, never rename one.
CRITERIA = ("nib", "own_production", "quality", "quantity", "ktp")
# Readiness parts, each scored 0-20, summing to 0-100.
PARTS = ("kualitas", "kuantitas", "kontinuitas", "kemasan", "administrasi")
PART_MAX = 20


@dataclass(frozen=True)
class Result:
    """The outcome of a finished questionnaire."""

    eligible: bool
    unmet: tuple[str, ...]
    readiness: int
    parts: Mapping[str, int]


def threshold(capacity: Mapping[str, Any], config: QuestionnaireConfig) -> float:
    """The minimum monthly production for the capacity's unit class."""
    return {
        "pieces": config.min_monthly_pieces,
        "kg": config.min_monthly_kg,
        "liters": config.min_monthly_liters,
    }.get(capacity.get("class", ""), config.min_monthly_pieces)


def _quantity_ratio(answers: Mapping[str, Any], config: QuestionnaireConfig) -> float:
    capacity = answers.get("capacity")
    if not isinstance(capacity, Mapping):
        return 0.0
    minimum = threshold(capacity, config)
    base = float(capacity.get("base", 0))
    return base / minimum if minimum > 0 else (1.0 if base > 0 else 0.0)


def _certificates(answers: Mapping[str, Any]) -> list[str]:
    return [c for c in answers.get("quality") or [] if c != "none"]


def readiness(answers: Mapping[str, Any], config: QuestionnaireConfig) -> dict[str, int]:
    """Score the five readiness parts 0-20 each."""
    certificates = len(_certificates(answers))
    ratio = _quantity_ratio(answers, config)
    # Below the threshold up to 8 points; meeting it 10, five times it or more 20.
    quantity = 10 + round(10 * min(ratio - 1, 4) / 4) if ratio >= 1 else round(8 * ratio)
    return {
        "kualitas": {0: 0, 1: 14}.get(certificates, PART_MAX),
        "kuantitas": quantity,
        "kontinuitas": {"steady": 20, "varies": 10, "seasonal": 5}.get(
            answers.get("steady", ""), 0
        ),
        "kemasan": {"export": 20, "basic": 10}.get(answers.get("packaging", ""), 0),
        "administrasi": PART_MAX if answers.get("has_nib") == "yes" and answers.get("nib") else 0,
    }


def evaluate(answers: Mapping[str, Any], config: QuestionnaireConfig) -> Result:
    """Check the four criteria and score readiness."""
    met = {
        "nib": answers.get("has_nib") == "yes" and bool(answers.get("nib")),
        "own_production": answers.get("own_production") in ("own", "partly"),
        "quality": bool(_certificates(answers)),
        "quantity": _quantity_ratio(answers, config) >= 1,
        "ktp": answers.get("ktp_city") == "yes",
    }
    parts = readiness(answers, config)
    unmet = tuple(c for c in CRITERIA if not met[c])
    return Result(eligible=not unmet, unmet=unmet, readiness=sum(parts.values()), parts=parts)
