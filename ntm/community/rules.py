"""Community rules, pure (no ORM): the feedback workflow table, the data file (campaigns, forms of
award, granting levels, cultural titles, anti-spam settings) and the proof-of-work check.

Workflow: received → handling → answered → closed (and a moderation gate before anything is public).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "community.toml"

RECEIVED, HANDLING, ANSWERED, CLOSED = "received", "handling", "answered", "closed"
STATES = {RECEIVED: "Đã tiếp nhận", HANDLING: "Đang xử lý", ANSWERED: "Đã trả lời", CLOSED: "Đã đóng"}
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
MODERATION = {PENDING: "Chờ kiểm duyệt", APPROVED: "Đã duyệt, công khai", REJECTED: "Không công khai"}

# (state, action) → (next state, permission action needed)
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (RECEIVED, "handle"): (HANDLING, "community.answer"),
    (RECEIVED, "answer"): (ANSWERED, "community.answer"),
    (HANDLING, "answer"): (ANSWERED, "community.answer"),
    (ANSWERED, "answer"): (ANSWERED, "community.answer"),  # correct or complete the answer
    (ANSWERED, "close"): (CLOSED, "community.answer"),
    (HANDLING, "close"): (CLOSED, "community.answer"),
    (RECEIVED, "close"): (CLOSED, "community.answer"),
    (CLOSED, "reopen"): (HANDLING, "community.answer"),
}
ACTIONS = {"handle": "Nhận xử lý", "answer": "Trả lời", "close": "Đóng", "reopen": "Mở lại"}


class TransitionRefused(Exception):
    pass


def next_state(state: str, action: str) -> tuple[str, str]:
    """(next state, permission) or TransitionRefused with a Vietnamese message."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionRefused(
            f"Không thể “{ACTIONS.get(action, action)}” ý kiến đang ở trạng thái “{STATES.get(state, state)}”") from None


def actions_from(state: str) -> list[str]:
    return [a for (s, a) in TRANSITIONS if s == state]


@cache
def data(path: Path = DATA) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class SpamRules:
    pow_bits: int
    max_age: int
    rate_count: int
    rate_window: int


def spam_rules() -> SpamRules:
    f = data()["feedback"]
    return SpamRules(int(f["pow_bits"]), int(f["challenge_max_age_seconds"]), int(f["rate_limit_count"]),
                     int(f["rate_limit_window_seconds"]))


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, name) pairs of "forms", "levels", "recipient_types", "titles" or "campaigns"."""
    return [(row["code"], row["name"]) for row in data()[kind]]


def form_choices():
    return choices("forms")


def level_choices():
    return choices("levels")


def recipient_choices():
    return choices("recipient_types")


def title_choices():
    return choices("titles")


def label(kind: str, code: str) -> str:
    return dict(choices(kind)).get(code, code)


def form_level(form_code: str) -> str:
    return next((f["level"] for f in data()["forms"] if f["code"] == form_code), "")


def form_allows(form_code: str, recipient_type: str) -> bool:
    return any(f["code"] == form_code and recipient_type in f["recipients"] for f in data()["forms"])


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def pow_ok(challenge: str, nonce: str, bits: int) -> bool:
    """SHA-256 of "challenge:nonce" starts with `bits` zero bits (what static/js/pow.js searches for)."""
    if not nonce or len(nonce) > 32 or not nonce.isdigit():
        return False
    return leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) >= bits


def solve(challenge: str, bits: int) -> str:
    """The first nonce meeting the work (tests and the CLI; browsers run pow.js)."""
    n = 0
    while not pow_ok(challenge, str(n), bits):
        n += 1
    return str(n)
