"""Pure helpers for lessons and news (no ORM): rich-text sanitising (nh3), search keys and query terms,
criteria references ("set:code")."""

from __future__ import annotations

import re

import nh3

from ntm.core.text import fold

# Tags a news post may keep; everything else (script, style, event handlers, iframes) is removed.
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "a",
                "img", "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
                      "th": {"colspan", "rowspan"}}


def sanitize(html: str) -> str:
    """Rich text safe to show as is: only ALLOWED_TAGS/ALLOWED_ATTRIBUTES, links get rel=noopener,
    only http(s)/mailto URLs and relative ones."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html or "")).strip()


def search_key(*parts: str) -> str:
    """The folded text a search runs over: lower case, no diacritics, đ→d (ntm.core.text.fold),
    punctuation as spaces (so a phrase typed without commas still matches)."""
    return " ".join(re.split(r"[^\w]+", fold(" ".join(plain(p) for p in parts if p)))).strip()


def terms(query: str) -> list[str]:
    """Folded words of a query, punctuation dropped: "Dân biết, dân bàn" → ["dan", "biet", "dan", "ban"]."""
    return [t for t in re.split(r"[^\w]+", fold(query or "")) if t]


def criteria_key(refs: list[str]) -> str:
    """Stored form of criteria references, padded with spaces so " set:code " matches exactly."""
    clean = sorted({r.strip() for r in refs if r and ":" in r})
    return f" {' '.join(clean)} " if clean else ""


def criteria_refs(key: str) -> list[tuple[str, str]]:
    return [tuple(r.split(":", 1)) for r in (key or "").split()]
