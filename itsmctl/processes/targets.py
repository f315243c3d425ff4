"""KPI target values as written in YAML (`4h`, `95%`, `25.00 EUR`, `4.2`), and how they compare.

The written form carries the unit, so a rule can see that `change-success-rate` was given a
duration; `measure` compares a period's statistic with `Target.met`, and diff asks
`Target.strictness` to tell a loosened target from a tightened one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from itsmctl.durations import format_duration, parse_duration

Written = Literal["duration", "percent", "money", "number"]
OPS = ("<=", "<", ">=", ">")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%\Z")
_MONEY = re.compile(r"(\d+(?:\.\d+)?)\s+([A-Z]{3})\Z")
_NUMBER = re.compile(r"\d+(?:\.\d+)?\Z")
# what the written form of a value may stand for, by the metric's unit
COMPATIBLE: dict[str, Written] = {
    "duration": "duration", "percent": "percent", "money": "money",
    "score": "number", "count": "number",
}


@dataclass(frozen=True, slots=True)
class Value:
    """A target value: its written unit, the amount (minutes for durations) and currency."""

    unit: Written
    amount: float
    currency: str = ""

    def __str__(self) -> str:
        if self.unit == "duration":
            return format_duration(int(self.amount))
        if self.unit == "percent":
            return plain_number(self.amount) + "%"
        if self.unit == "money":
            return f"{self.amount:.2f} {self.currency}"
        return plain_number(self.amount)


def plain_number(value: float) -> str:
    """95.0 -> `95`, 99.95 -> `99.95`: amounts the way people write them."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def parse_value(value: Any) -> Value | None:
    """`4h` -> 240 minutes; `95%` -> 95 percent; `25.00 EUR` -> money; 4.2 -> a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Value("number", float(value)) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    minutes = parse_duration(text)
    if minutes is not None:
        return Value("duration", float(minutes))
    if match := _PERCENT.match(text):
        return Value("percent", float(match[1]))
    if match := _MONEY.match(text):
        return Value("money", float(match[1]), match[2])
    if _NUMBER.match(text):
        return Value("number", float(text))
    return None


@dataclass(frozen=True, slots=True)
class Target:
    """`statistic <op> value` must hold in every period."""

    op: str
    value: Value

    def met(self, measured: float) -> bool:
        """Whether a period's statistic (in the value's unit; minutes for durations) meets it."""
        amount = self.value.amount
        return {"<=": measured <= amount, "<": measured < amount,
                ">=": measured >= amount, ">": measured > amount}[self.op]

    @property
    def upper(self) -> bool:
        """True for a ceiling (`<=`, `<`), False for a floor (`>=`, `>`)."""
        return self.op in ("<=", "<")

    def strictness(self) -> tuple[float, int]:
        """Orders targets of one direction: greater is stricter (harder to meet)."""
        inclusive = 0 if self.op in ("<=", ">=") else 1
        amount = -self.value.amount if self.upper else self.value.amount
        return amount, inclusive

    def __str__(self) -> str:
        return f"{self.op} {self.value}"


def parse_target(target: Any) -> Target | None:
    """A KPI's `target: {op, value}`, or None when the schema would reject it."""
    if not isinstance(target, dict) or target.get("op") not in OPS:
        return None
    value = parse_value(target.get("value"))
    return Target(str(target["op"]), value) if value is not None else None


def compare(base: Target, head: Target) -> int:
    """-1 when head is looser than base, 1 when stricter, 0 when equally strict.

    Turning a ceiling into a floor (or back) changes what the KPI promises: it counts as
    loosened, so the change needs the approval a loosened target needs.
    """
    if base.upper != head.upper or base.value.unit != head.value.unit:
        return -1
    if base.value.currency != head.value.currency:
        return -1
    before, after = base.strictness(), head.strictness()
    return (after > before) - (after < before)
