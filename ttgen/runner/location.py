"""What `--results` names: a SQLite file, or a PostgreSQL database by URL
(`postgresql://user[:password]@host[:port]/database[?param=value...]`, libpq's form: a password
may also come from PGPASSWORD or ~/.pgpass). Messages, stored commands and merged runs' origins
name a URL with its password masked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

SCHEMES = ("postgresql://", "postgres://")
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&]*", re.IGNORECASE)


def is_url(location: str | Path) -> bool:
    return isinstance(location, str) and location.lower().startswith(SCHEMES)


def mask(location: str | Path) -> str:
    """The location as messages show it: a URL's password (in the authority or a `password=`
    parameter) replaced by ***."""
    text = str(location)
    if not is_url(text):
        return text
    scheme, _, rest = text.partition("://")
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        userinfo, _, hosts = authority.rpartition("@")
        if ":" in userinfo:
            authority = f"{userinfo.split(':', 1)[0]}:***@{hosts}"
    tail = _QUERY_PASSWORD.sub(lambda m: m.group(1) + "***", tail)
    return f"{scheme}://{authority}{tail}"


def mask_argv(argv: Sequence[str]) -> list[str]:
    """A command line with every results URL's password masked (what a run stores as `command`)."""
    masked = []
    for arg in argv:
        name, eq, value = arg.partition("=")
        if eq and name.startswith("--") and is_url(value):
            masked.append(f"{name}={mask(value)}")
        else:
            masked.append(mask(arg))
    return masked


def password_of(url: str) -> str | None:
    """The password written in a URL (to keep it out of a driver's messages), if any."""
    rest = url.partition("://")[2]
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority = rest[:cut]
    userinfo = authority.rpartition("@")[0]
    if ":" in userinfo:
        return userinfo.split(":", 1)[1] or None
    found = _QUERY_PASSWORD.search(rest[cut:])
    if found is None:
        return None
    return found.group(0).split("=", 1)[1] or None


def present(location: str | Path) -> bool:
    """Whether there may be a store to read: a SQLite file that exists, or any URL (the server says)."""
    return is_url(location) or Path(location).is_file()
