"""pywa's HTTP client: httpx's, keeping no cookies (`GraphClient`), pointed at the configured
Graph API root (a fake, a proxy). pywa has no base-URL option of its own, so an httpx transport
rewrites every request not at the root already (media download URLs too)."""

from __future__ import annotations

from typing import Any

import httpx

URLS_KEPT = 64  # endpoints whose whole URL is kept


class _Unkept(httpx.Cookies):
    """Cookies that answers never add to."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Nothing to look for: the Graph API sets no cookies."""


class GraphClient(httpx.AsyncClient):
    """httpx's client, keeping no cookies: the Graph API sets none, and httpx looks for them in
    every answer through http.cookiejar (urllib objects made for each), about a seventh of the
    CPU of a send through aiohttp."""

    def __init__(self, **kwargs: Any) -> None:
        self._urls: dict[str, httpx.URL] = {}
        super().__init__(**kwargs)
        self._unkept = _Unkept()

    @property
    def base_url(self) -> httpx.URL:
        """The root that pywa's relative endpoints are joined to."""
        return super().base_url

    @base_url.setter
    def base_url(self, url: httpx.URL | str) -> None:
        httpx.AsyncClient.base_url.fset(self, url)  # type: ignore[attr-defined]
        self._urls.clear()

    def build_request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Request:
        """httpx's, with each endpoint's whole URL worked out once: pywa's endpoints are a few
        strings ("/v22.0/<number id>/messages"), and httpx parses two URLs for every request
        otherwise (a tenth of a message's CPU in a broadcast)."""
        if isinstance(url, str) and url.startswith("/"):
            whole = self._urls.get(url)
            if whole is None:
                if len(self._urls) >= URLS_KEPT:  # media ids make endpoints of their own
                    self._urls.clear()
                whole = self._urls[url] = super().build_request("GET", url).url
            url = whole
        return super().build_request(method, url, **kwargs)

    @property
    def cookies(self) -> httpx.Cookies:
        """Cookies sent with every request (none, unless set)."""
        return self._unkept

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._unkept = _Unkept(cookies)


class GraphTransport(httpx.AsyncBaseTransport):
    """Sends every request to the configured Graph API root instead of Meta's hosts."""

    def __init__(self, root: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.root = httpx.URL(root)
        self.inner = inner or httpx.AsyncHTTPTransport()
        self._prefix = self.root.path.rstrip("/")
        self._origin = (self.root.scheme, self.root.host, self.root.port)
        self._host = self.root.netloc.decode("ascii")

    def moved(self, url: httpx.URL) -> httpx.URL:
        """`url` at the configured root: scheme, host, port (and a path prefix) replaced; the
        same URL when it is there already."""
        if (url.scheme, url.host, url.port) == self._origin and \
                url.path.startswith(f"{self._prefix}/"):
            return url
        return url.copy_with(scheme=self.root.scheme, host=self.root.host,
                             port=self.root.port, path=self._prefix + url.path)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite scheme, host, port (and a path prefix) of the request, then send it."""
        url = self.moved(request.url)
        if url is not request.url:
            request.url = url
            request.headers["Host"] = self._host
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the connections."""
        await self.inner.aclose()
