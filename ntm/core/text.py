"""Vietnamese text helpers: diacritic-insensitive search keys and number parsing."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation


def fold(text: str) -> str:
    """Lower-case, strip diacritics, map đ→d: "Thọ Xuân" → "tho xuan", "Đông" → "dong".

    NFD decomposition leaves đ/Đ alone (they are letters, not marks), hence the explicit map.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.lower()).strip()


_VI_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$|^[+-]?\d+(,\d+)?$")


def parse_vi_number(raw: str | float | int | None) -> Decimal | None:
    """Read "12,5", "1.234,5", "1234.5" or 1234 as a Decimal; blank → None; junk → ValueError.

    A lone dot followed by exactly three digits ("1.234") is read the Vietnamese way: a thousands
    separator. Plain "12.5" (not three digits) is accepted as a decimal point for convenience.
    """
    if raw is None:
        return None
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        return Decimal(str(raw))
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if _VI_NUMBER.match(text):
        text = text.replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"'{raw}' không phải là số") from exc
