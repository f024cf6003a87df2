"""Staff cost: the yearly pay of a post by quota type (编制类型), with the township premium.

``county.pay`` gives one filled post's yearly pay per quota type (thousand yuan; the
numbers are assumptions). Under the incentives lever township staff earn
``policy.workforce.incentive_pay_premium_share`` more (Pingluo: 收入高于县直 20%, seed 003
item 14); stationed officers stay on their county department's pay. The run metric
``<scope>.staff.cost`` and the planner's pay-based cost both come from here.
"""

from __future__ import annotations

from sim.config.schema import QUOTA_TYPES, Scenario

STATIONED = "stationed"


def yearly_pay(s: Scenario, quota_type: str, in_township: bool) -> float:
    """Yearly pay of one filled post of ``quota_type`` (thousand yuan)."""
    if quota_type not in QUOTA_TYPES:
        raise ValueError(f"unknown quota type {quota_type!r} (known: {', '.join(QUOTA_TYPES)})")
    pay = float(getattr(s.county.pay, quota_type))
    workforce = s.policy.workforce
    if in_township and workforce.incentives and quota_type != STATIONED:
        pay *= 1.0 + workforce.incentive_pay_premium_share
    return pay
