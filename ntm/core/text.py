"""Vietnamese text helpers: diacritic-insensitive search keys and number parsing."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

# Letters of other scripts drawn like Latin ones (Unicode's confusables, the ones a phone keyboard
# or a pasted document can slip into a Vietnamese name), lower-case after casefold(): Cyrillic, Greek.
LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
    "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "ı": "i", "ȷ": "j",
})


# A unit's full name is under 80 characters: a search key longer than this cannot match anything,
# and a 50,000-character LIKE pattern is refused by SQLite ("pattern too complex").
SEARCH_MAX = 200


def is_invisible(ch: str) -> bool:
    """Zero-width and other format characters (U+200B, U+200C, U+200D, U+2060, U+FEFF, U+00AD…)
    and control characters: they change a string without changing how it looks."""
    return unicodedata.category(ch) in ("Cf", "Cc") and ch not in "\t\n\r"


def fold(text: str) -> str:
    """A search key: "Thọ Xuân" → "tho xuan", "Đông" → "dong", "ＴＨỌ" → "tho", "tho\u200blong" → "tholong",
    "Тhọ" (Cyrillic Т) → "tho".

    Steps: NFKC (compatibility forms: full-width letters, ligatures, superscripts become plain
    ones), invisible characters dropped, case folded, đ → d (NFD leaves đ/Đ alone: they are
    letters, not a letter plus a mark), diacritics stripped (NFD, drop combining marks),
    look-alike Cyrillic/Greek letters mapped to Latin (LOOKALIKES), whitespace collapsed.
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if not is_invisible(ch)).casefold().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(LOOKALIKES)
    return re.sub(r"\s+", " ", stripped).strip()


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


def format_number(value, places: int = 2) -> str:
    """A number as the reader needs it, in the active language's format: at most `places`
    decimals and no trailing zeros, thousands grouped — 5.4400 → "5,44", 1234.5000 → "1.234,5",
    65 → "65" (English: "1,234.5"). None → "—"; text that is not a number is returned as is."""
    from decimal import ROUND_HALF_UP

    from django.utils.formats import number_format

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(int(value))
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not d.is_finite():
        return str(value)
    d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    decimals = max(0, -d.normalize().as_tuple().exponent) if d else 0
    d = d.quantize(Decimal(1).scaleb(-decimals))
    return number_format(d, decimal_pos=decimals, use_l10n=True, force_grouping=True)
