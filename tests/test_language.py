"""No English in the Vietnamese interface, no internal codes where people read, and an English
catalogue that covers every string marked for translation.

The main pages are rendered for each demo role (and an anonymous visitor); their visible text —
and the attributes people read: title (tooltips), placeholder, aria-label, alt — is checked
against a list of common English words that no Vietnamese sentence contains."""

import gettext
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ntm.criteria.loader import registry
from ntm.testing import YEAR, login
from ntm.units.models import Unit

WORLD_COMMUNES = 3
pytestmark = pytest.mark.django_db

# English words that never occur in Vietnamese text (and "no", "to", "an" do: they are left out).
# "enter" and "tab" are left out too: the keys are named so on every keyboard.
ENGLISH = {
    "the", "and", "of", "not", "required", "this", "field", "is", "are", "was", "with", "for", "from", "please",
    "valid", "invalid", "password", "short", "must", "least", "characters", "you", "your", "yes",
    "error", "save", "cancel", "search", "name", "value", "source", "history", "login", "logout", "submit",
    "delete", "edit", "select", "unknown", "missing", "close", "page", "next", "previous", "back", "home",
    "loading", "user", "username", "level", "criteria", "criterion", "unit", "units", "year", "provisional",
    "unverified", "verified", "threshold", "indicator", "report", "import", "export", "upload", "file", "map",
    "dashboard", "matrix", "filter", "sort", "all", "any", "none", "other", "more", "less", "than", "should",
    "can", "cannot", "will", "has", "have", "been", "read", "assumed", "table", "stored", "commune", "province",
    "district", "hamlet", "figure", "figures", "entry", "evaluation", "met", "reached", "choose", "ensure",
    "at", "or", "in", "on", "by", "if", "it", "be",
}
# Proper nouns and codes that may stand in Vietnamese text although they look English.
ALLOWED = {"ntm", "ocop", "pdf", "excel", "word", "docx", "api", "vi", "en", "tc", "ha", "km", "mit", "gpl"}
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class VisibleText(HTMLParser):
    """Text a person reads: element text outside script/style/template, plus the attributes above."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        for key, value in attrs:
            if key in ATTRIBUTES and value:
                self.chunks.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.chunks


def english_in(chunks: list[str]) -> list[tuple[str, str]]:
    found = []
    for chunk in chunks:
        for word in re.findall(r"[A-Za-z]+", chunk):
            w = word.lower()
            if w in ENGLISH and w not in ALLOWED:
                found.append((word, chunk[:120]))
    return found


def pages_for(username: str | None, world) -> list[str]:
    tho_long, province = world["tho_long"], world["province"]
    hamlet = Unit.objects.get(scheme=Unit.Scheme.LOCAL, code="15505-01")
    legacy = Unit.objects.get(scheme=Unit.Scheme.LEGACY, code="15505")
    if username is None:
        return [reverse("home"), reverse("login")]
    common = ["/", reverse("unit_tree"), reverse("unit_search") + "?q=tho"]
    by_role = {
        "admin": [reverse("national"), reverse("user_list"), reverse("map_upload"),
                  reverse("dashboard", args=[province.pk]) + f"?year={YEAR}", reverse("unit_detail", args=[tho_long.pk])],
        "tinh": [reverse("dashboard", args=[province.pk]) + f"?year={YEAR}", reverse("dashboard", args=[province.pk]) + "?year=2025",
                 reverse("unit_detail", args=[province.pk]), reverse("unit_detail", args=[tho_long.pk]),
                 reverse("figure_entry", args=[tho_long.pk, YEAR]), reverse("figure_import", args=[province.pk, YEAR]),
                 reverse("funding:settings", args=[province.pk])],
        "xa": [reverse("unit_detail", args=[tho_long.pk]), reverse("unit_detail", args=[legacy.pk]),
               reverse("figure_entry", args=[tho_long.pk, YEAR]), reverse("figure_import", args=[tho_long.pk, YEAR]),
               # pages whose forms hold choice lists (Django's empty choice is English unless translated)
               reverse("funding:ledger", args=[tho_long.pk]), reverse("plans:leadership", args=[tho_long.pk]),
               reverse("plans:review", args=[tho_long.pk, YEAR]), reverse("plans:catalogue", args=[tho_long.pk])],
        "thon": [reverse("unit_detail", args=[hamlet.pk])],
        "thamdinh": [reverse("unit_detail", args=[tho_long.pk]), reverse("dashboard", args=[province.pk])],
        "giamsat": [reverse("unit_detail", args=[tho_long.pk])],
        "xem": [reverse("unit_detail", args=[tho_long.pk]), reverse("dashboard", args=[province.pk])],
    }
    return common + by_role[username]


ROLES = [None, "admin", "tinh", "xa", "thon", "thamdinh", "giamsat", "xem"]


@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_vietnamese_pages_have_no_english_and_no_internal_codes(world, username):
    client = login(username) if username else Client()
    set_codes = set(registry())
    problems, seen = [], 0
    for url in pages_for(username, world):
        r = client.get(url, follow=True)
        if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
            continue  # what a role may not open is the crawler's business, not this test's
        seen += 1
        chunks = visible_text(r.content.decode())
        problems += [(url, word, chunk) for word, chunk in english_in(chunks)]
        text = "\n".join(chunks)
        problems += [(url, code, "internal set code shown") for code in set_codes if code in text]
    assert seen >= 2
    assert not problems, "\n".join(f"{u}: {w!r} in {c!r}" for u, w, c in problems)


def test_form_errors_are_vietnamese(world):
    """Django 6.1's "password too short" has no Vietnamese in Django's catalogue: ours supplies it."""
    r = login("admin").post(reverse("user_list"), {"username": "moi", "full_name": "Nguyễn Văn Mới", "password": "x",
                                                   "role": "commune", "unit": "99999"})
    chunks = visible_text(r.content.decode())
    text = "\n".join(chunks)
    assert "Mật khẩu quá ngắn" in text and "Không tìm thấy đơn vị mã" in text
    assert not english_in(chunks), english_in(chunks)


def test_the_check_catches_english():
    assert english_in(visible_text('<p>This field is required.</p><span title="provisional: not read">x</span>'))
    assert not english_in(visible_text("<p>Xã Thọ Long đạt 7/10 tiêu chí (NTM, OCOP)</p><script>var the = 1</script>"))


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_catalogues_are_complete_and_compiled(lang, tmp_path):
    """Every marked string has its English; the committed .mo says what the .po says
    (otherwise: `manage.py compilemessages`)."""
    po = Path(__file__).resolve().parents[1] / "ntm" / "locale" / lang / "LC_MESSAGES" / "django.po"
    fresh = tmp_path / "django.mo"
    out = subprocess.run(["msgfmt", "--check", "--statistics", "-o", str(fresh), str(po)],
                         capture_output=True, text=True, check=True).stderr
    assert "untranslated" not in out and "fuzzy" not in out, out
    with open(fresh, "rb") as a, open(po.with_suffix(".mo"), "rb") as b:
        assert gettext.GNUTranslations(b)._catalog == gettext.GNUTranslations(a)._catalog, "run manage.py compilemessages"
