"""The DHIS2 URL policy: what a base URL may look like, and where credentials may travel.

A base URL is what a person opens in a browser (``https://dhis2.example.org`` or
``https://host/dhis``); ``/api`` is added here. Credentials written into the URL
(``user:password@host``) are refused without echoing them, and plain http is refused for anything
but this machine unless the user says the network is trusted (``insecure``).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from dhis2_mch.errors import ConfigError

#: query keys that carry a secret when someone pastes a URL with credentials in it
_SECRET_KEYS = re.compile(r"(?i)^(pass(word)?|pwd|token|api_?token|secret|key|access_token|auth)$")


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 and localhost: the only hosts plain http may carry credentials to by default."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split(url: str):
    return urlsplit(url if "://" in url else "//" + url)


def strip_userinfo(url: str) -> str:
    """``url`` without ``user:password@`` and without any query (which could carry a token)."""
    parts = _split(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=netloc, query="", fragment=""))


def shown(url: str) -> str:
    """A URL as messages may show it: no userinfo, no query string."""
    return strip_userinfo(url) if "://" in url else strip_userinfo(url).lstrip("/")


def check_base_url(raw_url: str) -> str:
    """The base URL the user gave, stripped, or ConfigError; never echoes a credential found in it."""
    url = (raw_url or "").strip()
    parts = _split(url)
    if "@" in parts.netloc:
        raise ConfigError(
            f"The DHIS2 URL {shown(url)} has credentials written into it (user:password@host). Give the URL "
            "without them; credentials come from the environment or a secret file."
        )
    if parts.query:
        keys = [k for k, _ in parse_qsl(parts.query, keep_blank_values=True)]
        secret = any(_SECRET_KEYS.match(k) for k in keys)
        raise ConfigError(
            f"The DHIS2 URL {shown(url)} has a query string"
            + (" that looks like it carries a secret" if secret else "")
            + ": give the server's base URL only (what you open in a browser); credentials come from the "
            "environment or a secret file."
        )
    if re.search(r"/api(/|$)", parts.path):
        raise ConfigError(
            f"The DHIS2 URL {shown(url)} ends in /api: give the server's base URL (what you open in a browser, "
            "e.g. https://dhis2.example.org or https://host/dhis); dhis2-mch adds /api itself."
        )
    return url


def make_api(url: str, username: str, password: str) -> Any:
    """dhis2.py's ``Api`` for ``url`` (its session and its base/api URL normalisation)."""
    from dhis2 import Api, ClientException

    try:
        return Api(url.rstrip("/"), username, password)
    except ClientException:
        # dhis2.py refuses any URL containing "/api", hosts such as https://api.example.org included:
        # let it normalise a neutral stand-in with the same scheme, then put the real host back.
        stand_in = re.sub(r"/api", "/x-pi", url.rstrip("/"))
        api = Api(stand_in, username, password)
        api._base_url = api.base_url.replace("/x-pi", "/api")
        return api


def check_transport_policy(base_url: str, raw_url: str, *, insecure: bool) -> None:
    """Refuse a non-http(s) URL, and plain http to another machine unless ``insecure``."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"The DHIS2 URL {shown(raw_url)} is not an http(s) URL.")
    if parts.scheme == "http" and not insecure and not is_loopback(parts.hostname):
        raise ConfigError(
            f"Refusing to send credentials over plain http to {parts.hostname}: anyone on the network path "
            f"could read them. Use https://{parts.netloc}{parts.path}, or pass --insecure (or set insecure: "
            "true in the profile) if this really is a closed, trusted network."
        )
