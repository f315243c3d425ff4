"""Allowed downtime: what an availability target (99.9 %) permits over a period, in minutes.

`diff` (the change of allowed downtime "per 30 days") and the site (per month and per
measurement period) both read availability this way, so the arithmetic lives here once.
"""

from __future__ import annotations

from itsmctl.durations import MINUTES

MINUTES_PER_DAY = MINUTES["d"]
# `diff` speaks of a plain 30 days: a figure reviewers can check in their heads.
MINUTES_PER_30_DAYS = 30 * MINUTES_PER_DAY
# A month is 365.25 / 12 = 30.4375 days, rounded to 30.44: the usual figure in SLA tables
# (99.9 % allows 43.8 minutes a month).
MONTH_DAYS = 30.44
MINUTES_PER_MONTH = MONTH_DAYS * MINUTES_PER_DAY


def allowed_downtime_minutes(availability_percent: float, period_minutes: float) -> float:
    """Minutes of downtime `availability_percent` allows over `period_minutes` of service time.

    99.9 over MINUTES_PER_MONTH -> 43.8336. The period is the time the target is measured
    over: whole days, or only the service hours when an SLA counts those.
    """
    return (100.0 - availability_percent) / 100.0 * period_minutes
