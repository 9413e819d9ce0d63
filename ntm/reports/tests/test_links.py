"""Every link the app renders leads somewhere the reader may go: signed in as each demo role (and
as an anonymous visitor), follow every same-site link (`href`, `hx-get`) breadth-first to depth 3
from the landing page; no answer may be 4xx or 5xx."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import pytest
from django.test import Client

from ntm.testing import login

pytestmark = pytest.mark.django_db

ROLES = ["admin", "tinh", "xa", "thon", "thamdinh", "giamsat", "xem", None]
DEPTH = 3
MAX_PAGES = 200
PER_PATTERN = 8  # distinct pages of one shape (a unit page per unit…): enough to meet every kind of unit
SKIP = ("/static/", "/dang-xuat/", "/api/")  # files; signing out; the API has its own schema tests
NOT_FOLLOWED = ("/quan-tri/",)  # Django's own admin site: its root is fetched, its pages are not crawled


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name == "hx-get" or (name == "href" and tag in ("a", "link"))):
                self.found.append(value)


def links_of(page_url: str, html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    out = []
    for raw in parser.found:
        url = urldefrag(urljoin("http://testserver" + page_url, raw.strip())).url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver" or parts.path.startswith(SKIP):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def pattern(url: str) -> str:
    """The shape of a page: ids and a field's name left out, years kept."""
    parts = urlsplit(url)
    path = re.sub(r"/(?!(?:19|20)\d\d/)\d+(?=[/.])", "/N", parts.path)
    path = re.sub(r"/[\w-]+/lich-su/$", "/F/lich-su/", path)
    return path + "?" + "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))


def crawl(client: Client) -> tuple[list[tuple[str, int, str]], int]:
    start = client.get("/", follow=True)
    assert start.status_code == 200
    landing = start.request["PATH_INFO"]
    seen = {landing}
    shapes = Counter([pattern(landing)])
    frontier = [(landing, start, "/")]
    failures, fetched = [], 1
    for _depth in range(DEPTH):
        nxt = []
        for url, response, _came_from in frontier:
            if "text/html" not in response.get("Content-Type", "") or url.startswith(NOT_FOLLOWED):
                continue
            for link in links_of(url, response.content.decode()):
                key = pattern(link)
                if link in seen or shapes[key] >= PER_PATTERN or fetched >= MAX_PAGES:
                    continue
                seen.add(link)
                shapes[key] += 1
                answer = client.get(link, follow=True)
                fetched += 1
                if answer.status_code >= 400:
                    failures.append((link, answer.status_code, url))
                else:
                    nxt.append((answer.request["PATH_INFO"] + (f"?{answer.request['QUERY_STRING']}" if answer.request.get("QUERY_STRING") else ""), answer, url))
        frontier = nxt
    return failures, fetched


@pytest.mark.parametrize("username", ROLES)
def test_every_link_leads_somewhere_the_role_may_go(world, username):
    client = login(username) if username else Client()
    failures, fetched = crawl(client)
    assert not failures, "\n".join(f"{status} {link} (linked from {page})" for link, status, page in failures)
    assert fetched > (1 if username is None else 5), f"{username}: only {fetched} pages reached"
