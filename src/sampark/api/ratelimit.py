"""Fixed-window rate limits on the shared cache: one atomic increment per request, so the
check stays cheap at thousands of requests a second."""

import time

from django.core.cache import cache


def parse_rate(rate: str) -> tuple[int, int] | None:
    """``"3000/m"`` -> (3000, 60). ``"off"`` or an empty string turns the limit off."""
    rate = (rate or "").strip().lower()
    if rate in ("", "off", "none", "0"):
        return None
    count, _sep, unit = rate.partition("/")
    seconds = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400}
    if not count.isdigit() or unit not in seconds:
        raise ValueError(f"rate must look like 3000/m, not {rate!r}")
    return int(count), seconds[unit]


def hit(scope: str, ident: str, limit: tuple[int, int] | None) -> bool:
    """Count one request for ``ident``; False once it is over the limit in this window."""
    if limit is None:
        return True
    count, window = limit
    key = f"rl:{scope}:{ident}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window + 1):
        return True
    try:
        return cache.incr(key) <= count
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        return True


def seen(scope: str, ident: str, limit: tuple[int, int] | None) -> int:
    """How many hits ``ident`` has in the current window (without counting one)."""
    if limit is None:
        return 0
    _count, window = limit
    return cache.get(f"rl:{scope}:{ident}:{int(time.time() // window)}", 0)
