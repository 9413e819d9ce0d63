"""A bounded HTTP load generator for the bench: N clients, a fixed run time, 127.0.0.1 only.

Each client is a loop on one keep-alive connection that requests the next URL of its list as soon
as the previous answer has arrived (a closed loop, no think time), so N clients keep N requests in
flight. Bodies are read but not decompressed (the client asks for gzip like a browser and spends
no CPU inflating). Latency is from sending the request to the last byte of the body.

    result = run(base, ["/a/", "/b/"], clients=20, seconds=15, cookies={"sessionid": "…"})
    result.p95_ms, result.errors, result.rate
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp

from bench.common import p95


@dataclass
class Result:
    """Latencies (ms) of the answered requests, errors (non-2xx or failed), bytes received, run time (s)."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    bytes: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def p95_ms(self) -> float:
        return p95(self.latencies) if self.latencies else float("nan")

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def rate(self) -> float:
        """Answers per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self, name: str) -> str:
        return (f"{name}: p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms, {self.rate:.0f} req/s, "
                f"{len(self.latencies)} requests, {self.errors} errors")


def run(base: str, paths: list[str], clients: int, seconds: float, cookies: dict[str, str] | None = None,
        once: bool = False) -> Result:
    """Load `base` (http://127.0.0.1:PORT) with `clients` concurrent clients for `seconds`, cycling
    through `paths` (client i starts at path i). With `once`, each path is requested once overall
    (a cold cache: every page rendered for the first time), still bounded by `seconds`.

    Raises ValueError for a host other than 127.0.0.1 (the bench never loads another machine)."""
    if urlsplit(base).hostname != "127.0.0.1":
        raise ValueError(f"the bench only loads 127.0.0.1, not {base}")
    return asyncio.run(_run(base, paths, clients, seconds, cookies or {}, once))


async def _run(base: str, paths: list[str], clients: int, seconds: float, cookies: dict[str, str], once: bool) -> Result:
    result = Result()
    shared = iter(paths) if once else None
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    headers = {"Accept-Encoding": "gzip, br", "Accept": "text/html"}
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base, connector=connector, cookies=cookies, headers=headers, timeout=timeout,
                                     auto_decompress=False) as session:
        start = time.perf_counter()
        deadline = start + seconds

        async def client(i: int) -> None:
            mine = shared if once else itertools.islice(itertools.cycle(paths), i % len(paths), None)
            for path in mine:
                if time.perf_counter() >= deadline:
                    return
                sent = time.perf_counter()
                try:
                    async with session.get(path, allow_redirects=False) as response:
                        body = await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    result.errors += 1
                    continue
                result.latencies.append((time.perf_counter() - sent) * 1000)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                result.bytes += len(body)
                if not 200 <= status < 300:
                    result.errors += 1

        await asyncio.gather(*(client(i) for i in range(clients)))
        result.seconds = time.perf_counter() - start
    return result
