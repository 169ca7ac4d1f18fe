"""Pointing pywa at the configured Graph API root (a fake, a proxy): pywa has no base-URL option
of its own, so an httpx transport rewrites every request (media download URLs too)."""

from __future__ import annotations

import httpx


class GraphTransport(httpx.AsyncBaseTransport):
    """Sends every request to the configured Graph API root instead of Meta's hosts."""

    def __init__(self, root: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.root = httpx.URL(root)
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite scheme, host, port (and a path prefix) of the request, then send it."""
        prefix = self.root.path.rstrip("/")
        request.url = request.url.copy_with(scheme=self.root.scheme, host=self.root.host,
                                            port=self.root.port, path=prefix + request.url.path)
        request.headers["Host"] = self.root.netloc.decode("ascii")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the connections."""
        await self.inner.aclose()
