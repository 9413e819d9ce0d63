"""The recognition rules as data: a small pure loader over `data/rules.toml` (no ORM).

Every number the workflow uses (consultation days and readings, satisfaction rates, who verifies
and who signs by date, the ballot majority, withdrawal shares and key criteria, the documents
required per period) is read from that file, each with its `source` and `trust` ("V" read in a
source, "U" inferred or one province's practice). Sources: shared/domain/program-rules.md §1, §6.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.toml"


class RuleMissing(LookupError):
    """No rule row covers the case asked (message in Vietnamese)."""


@dataclass(frozen=True)
class Rule:
    """One value with where it comes from."""

    value: Any
    source: str
    trust: str


@dataclass(frozen=True)
class Office:
    """Who does a step for a unit level: the level of the unit the office sits at, its body."""

    unit_level: str
    level: str
    body: str
    signer_role: str = ""
    symbol: str = "QĐ-UBND"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    source: str = ""
    trust: str = "U"

    def covers(self, day: dt.date) -> bool:
        return (self.date_from is None or self.date_from <= day) and (self.date_to is None or day <= self.date_to)


@dataclass(frozen=True)
class Rules:
    consultation: dict[str, dict[str, Any]]
    satisfaction: dict[str, dict[str, Any]]
    verifiers: list[Office]
    authorities: list[Office]
    ballot: dict[str, Any]
    announcement: dict[str, Any]
    inbox: dict[str, Any]
    withdrawal: dict[str, Any]
    document_types: dict[str, str]
    document_lists: list[dict[str, Any]] = field(default_factory=list)
    registration: dict[str, dict[str, Any]] = field(default_factory=dict)

    # --- lookups -------------------------------------------------------------------------------
    def consultation_for(self, unit_level: str) -> tuple[int, int]:
        """(days of the window, minimum loudspeaker readings within it) for a unit level."""
        row = self._row(self.consultation, unit_level, "thời hạn lấy ý kiến")
        return int(row["days"]), int(row["min_readings"])

    def satisfaction_rate(self, unit_level: str) -> Rule:
        """The required satisfaction (or agreement) rate, 0–1."""
        row = self._row(self.satisfaction, unit_level, "tỷ lệ hài lòng")
        return Rule(float(row["rate"]), row["source"], row["trust"])

    def verifier(self, unit_level: str, day: dt.date) -> Office:
        return self._office(self.verifiers, unit_level, day, "cơ quan thẩm tra")

    def authority(self, unit_level: str, day: dt.date) -> Office:
        return self._office(self.authorities, unit_level, day, "cấp có thẩm quyền công nhận")

    def ballot_passes(self, votes_for: int, votes_against: int) -> bool:
        """Whether the council's ballot proposes recognition (share of votes cast)."""
        cast = votes_for + votes_against
        if cast <= 0:
            return False
        share = votes_for / cast
        need = float(self.ballot["min_share_for"])
        return share > need if self.ballot.get("strictly_more", True) else share >= need

    def registration_deadline(self, unit_level: str, year: int) -> dt.date | None:
        """The last day (exclusive) to open a dossier for `year` (hamlets: before 01/12 of the year before)."""
        row = self.registration.get(unit_level)
        return dt.date(year - 1, int(row["month"]), int(row["day"])) if row else None

    def key_criteria(self, set_code: str) -> tuple[str, ...]:
        row = self.withdrawal.get("key_criteria", {}).get(set_code)
        return tuple(row["codes"]) if row else ()

    def required_documents(self, year: int) -> list[str]:
        """Document kinds a dossier of this year must carry."""
        for row in self.document_lists:
            if row["year_from"] <= year <= row["year_to"]:
                return list(row["kinds"])
        return []

    @staticmethod
    def _row(table: dict[str, dict[str, Any]], unit_level: str, what: str) -> dict[str, Any]:
        row = table.get(unit_level)
        if row is None:
            raise RuleMissing(f"Chưa cấu hình {what} cho cấp “{unit_level}” (recognition/data/rules.toml)")
        return row

    @staticmethod
    def _office(rows: list[Office], unit_level: str, day: dt.date, what: str) -> Office:
        for office in rows:
            if office.unit_level == unit_level and office.covers(day):
                return office
        raise RuleMissing(f"Chưa cấu hình {what} cho cấp “{unit_level}” vào ngày {day:%d/%m/%Y} "
                          "(recognition/data/rules.toml)")


def _offices(rows: list[dict[str, Any]]) -> list[Office]:
    return [Office(unit_level=r["unit_level"], level=r["level"], body=r["body"], signer_role=r.get("signer_role", ""),
                   symbol=r.get("symbol", "QĐ-UBND"), date_from=r.get("from"), date_to=r.get("until"),
                   source=r["source"], trust=r["trust"]) for r in rows]


def parse(data: dict[str, Any]) -> Rules:
    """Rules from the parsed TOML; KeyError names a missing section."""
    docs = data["documents"]
    return Rules(
        consultation=data["consultation"], satisfaction=data["satisfaction"],
        verifiers=_offices(data["verifier"]), authorities=_offices(data["authority"]),
        ballot=data["ballot"], announcement=data["announcement"], inbox=data["inbox"],
        withdrawal=data["withdrawal"], document_types=dict(docs["types"]), document_lists=list(docs["required"]),
        registration=data.get("registration", {}),
    )


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Rules:
    """The rules (cached); `path` for another file (tests)."""
    with open(path or RULES_FILE, "rb") as fh:
        return parse(tomllib.load(fh))
