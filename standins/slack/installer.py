"""A person installing the app from a browser: the install page, Slack's approval (the
stand-in's), the redirect back with the code, state and state cookie."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

from standins.slack.standin import SlackStandin

AUTHORIZE_LINK = re.compile(r"href=\"(https://slack\.com/oauth/v2/authorize\?[^\"]+)\"")


@dataclass(frozen=True)
class Page:
    status: int
    body: str
    headers: dict[str, str]


def fetch(url: str, *, cookie: str | None = None) -> Page:
    headers = {"Cookie": cookie} if cookie else {}
    request = Request(url, headers=headers)  # noqa: S310 (the local app only)
    try:
        with urlopen(request, timeout=10) as response:  # noqa: S310
            return Page(response.status, response.read().decode("utf-8"), dict(response.headers))
    except HTTPError as error:
        with error:
            return Page(error.code, error.read().decode("utf-8"), dict(error.headers))


@dataclass(frozen=True)
class InstallStart:
    """What the install page handed the browser: the authorize URL's query and the cookie."""

    page: Page
    query: dict[str, list[str]]
    cookie: str


def open_install_page(app_url: str) -> InstallStart:
    page = fetch(app_url + "/slack/install")
    link = AUTHORIZE_LINK.search(page.body)
    if page.status != 200 or link is None:
        raise AssertionError(f"install page without an authorize link: {page.status}")
    query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
    jar: SimpleCookie = SimpleCookie()
    jar.load(next((v for k, v in page.headers.items() if k.lower() == "set-cookie"), ""))
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())
    return InstallStart(page, query, cookie)


def finish_install(
    app_url: str, *, code: str | None, state: str, cookie: str | None, error: str | None = None
) -> Page:
    """Slack redirects the browser back to the app."""
    params = {
        "state": state,
        **({"code": code} if code else {}),
        **({"error": error} if error else {}),
    }
    return fetch(f"{app_url}/slack/oauth_redirect?{urlencode(params)}", cookie=cookie)


def install(app_url: str, standin: SlackStandin, team_id: str, *, team_name: str) -> Page:
    """The whole installation into ``team_id``, as a person clicking through it."""
    start = open_install_page(app_url)
    code = standin.oauth.approve(team_id, team_name=team_name)
    return finish_install(app_url, code=code, state=start.query["state"][0], cookie=start.cookie)
