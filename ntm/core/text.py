"""Vietnamese text helpers: diacritic-insensitive search keys and number parsing."""

import math
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


class NotANumber(ValueError):
    """The text is not a number written the way NTM reads numbers. `exponent` holds the value of a
    number written with an exponent ("1e30"), which is refused but whose size callers may report."""

    def __init__(self, raw: object, exponent: Decimal | None = None):
        super().__init__(f"“{raw}” không phải là số")
        self.exponent = exponent


class AmbiguousNumber(ValueError):
    """ "1.234": a thousands separator (1234) or a decimal point (1,234)? `readings` holds both,
    the Vietnamese one (thousands) first; the caller keeps the one its field's bounds allow."""

    def __init__(self, raw: str, readings: tuple[Decimal, Decimal]):
        super().__init__(f"“{raw}” có thể là {readings[0]} hoặc {str(readings[1]).replace('.', ',')}")
        self.readings = readings


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]")
_SIGN = r"[+-]?"
_INT = re.compile(rf"^{_SIGN}[0-9]+$")
_VI_GROUPED = re.compile(rf"^{_SIGN}[1-9][0-9]{{0,2}}(\.[0-9]{{3}})+(,[0-9]+)?$")
_AMBIGUOUS = re.compile(rf"^{_SIGN}[1-9][0-9]{{0,2}}\.[0-9]{{3}}$")
_COMMA_DECIMAL = re.compile(rf"^{_SIGN}[0-9]+,[0-9]+$")
_EN_GROUPED = re.compile(rf"^{_SIGN}[1-9][0-9]{{0,2}}((,[0-9]{{3}}){{2,}}(\.[0-9]+)?|(,[0-9]{{3}})+\.[0-9]+)$")
_DOT_DECIMAL = re.compile(rf"^{_SIGN}[0-9]+\.[0-9]+$")
_EXPONENT = re.compile(rf"^{_SIGN}[0-9]+([.,][0-9]+)?[eE][+-]?[0-9]{{1,4}}$")
MAX_TEXT = 40


def parse_vi_number(raw: object, *, strict: bool = False) -> Decimal | None:
    """Read a number as typed in a form, a CSV-like text cell or a number cell; blank → None.

    Accepted (ASCII digits only, an optional sign, spaces and non-breaking spaces ignored):
    - integers: "1234", "-7";  numbers from a file: int, finite float, finite Decimal;
    - Vietnamese: "12,5" (comma = decimal point), "1.234.567" and "1.234,5" (dot = thousands);
    - English: "1234.5", "0.750" (a dot not followed by exactly three digits, or after a leading
      zero, is a decimal point: "0.750" km is 0,75), "1,234,567" and "1,234.5" (comma groups
      that cannot be a Vietnamese decimal).
    - The one ambiguous shape is one dot followed by exactly three digits after 1–3 digits not
      starting with 0 ("1.234", "12.500"): with `strict=True` it raises AmbiguousNumber holding
      both readings (thousands first) for the caller to settle with the field's bounds and kind
      (see `ntm.figures.rules.clean_value`); otherwise the Vietnamese reading (1234) is returned.

    Raises NotANumber (a ValueError) for everything else: words, "NaN", "Infinity", exponents
    ("1e30", with its value in `.exponent`), "1_000", full-width or other non-ASCII digits,
    booleans (True/False are not numbers), dates, texts longer than 40 characters.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NotANumber("TRUE" if raw else "FALSE")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise NotANumber(raw)
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise NotANumber(raw)
        return raw
    if not isinstance(raw, str):
        raise NotANumber(raw)
    text = _SPACES.sub("", raw.strip()).replace("\u2212", "-")
    if not text:
        return None
    if len(text) > MAX_TEXT:
        raise NotANumber(raw.strip()[:MAX_TEXT] + "…")
    if _INT.match(text):
        return Decimal(text)
    if _AMBIGUOUS.match(text):
        readings = (Decimal(text.replace(".", "")), Decimal(text))
        if strict:
            raise AmbiguousNumber(raw.strip(), readings)
        return readings[0]
    if _VI_GROUPED.match(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    if _COMMA_DECIMAL.match(text):
        return Decimal(text.replace(",", "."))
    if _EN_GROUPED.match(text):
        return Decimal(text.replace(",", ""))
    if _DOT_DECIMAL.match(text):
        return Decimal(text)
    if _EXPONENT.match(text):
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover — the pattern only lets valid exponents through
            value = None
        raise NotANumber(raw.strip(), exponent=value)
    raise NotANumber(raw.strip())


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


def input_number(value, places: int = 4) -> str:
    """A stored value as an entry field shows it: Vietnamese decimal comma, no trailing zeros and no
    thousands dots (so the value read back is never the ambiguous "1.234")."""
    text = format_number(value, places)
    return "" if text == "—" else text.replace(".", "")
