"""Keeping recognition up: the withdrawal rule, pure (program-rules.md §1.5).

A commune must be considered for withdrawal when (a) a share of its criteria in [low, high) fail and
one failing criterion is a key criterion, or (b) a share ≥ high fail. A district also when (c) a share
≥ `district_communes_share` of its communes lost their recognition. The shares and the key criteria
are data (`rules.toml` [withdrawal]). Any recognised unit with a criterion not met is at risk
("cần duy trì"). Only criteria evaluated as not met (False) count as failing; missing data (None)
puts the unit at risk but is not counted as a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Verdict:
    at_risk: bool
    consider: bool  # the rule is hit: open a withdrawal case
    failing: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    key_failing: list[str] = field(default_factory=list)
    share_failing: float = 0.0
    reason: str = ""


def _key(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in code.split("."))


def check(met: dict[str, bool | None], key_criteria: tuple[str, ...] | list[str], share_low: float, share_high: float,
          communes_lost_share: float | None = None, district_communes_share: float | None = None) -> Verdict:
    """The verdict for one recognised unit from its latest evaluation's `met` {criterion code: met}.

    `communes_lost_share` (districts only): the share of its communes whose recognition was withdrawn.
    Shares are compared exactly (fractions), so 3/10 is 30%, not 29.999…%."""
    failing = sorted((c for c, m in met.items() if m is False), key=_key)
    missing = sorted((c for c, m in met.items() if m is None), key=_key)
    total = len(met)
    share = Fraction(len(failing), total) if total else Fraction(0)
    low, high = Fraction(str(share_low)), Fraction(str(share_high))
    keys = [c for c in failing if c in set(key_criteria)]
    pct = f"{float(share):.0%}"
    reason = ""
    if share >= high:
        reason = f"{len(failing)}/{total} tiêu chí không đạt ({pct} ≥ {float(high):.0%})"
    elif low <= share < high and keys:
        reason = (f"{len(failing)}/{total} tiêu chí không đạt ({pct}, từ {float(low):.0%} đến dưới {float(high):.0%}), "
                  f"trong đó có tiêu chí chủ chốt {', '.join(keys)}")
    if communes_lost_share is not None and district_communes_share is not None and \
            Fraction(str(communes_lost_share)) >= Fraction(str(district_communes_share)):
        lost = f"{communes_lost_share:.0%} số xã bị thu hồi công nhận (≥ {district_communes_share:.0%})"
        reason = f"{reason}; {lost}" if reason else lost
    return Verdict(at_risk=bool(failing or missing), consider=bool(reason), failing=failing, missing=missing,
                   key_failing=keys, share_failing=float(share), reason=reason)
