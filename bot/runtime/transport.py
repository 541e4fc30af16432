"""How the bot talks HTTP to the Bot API: aiohttp rather than python-telegram-bot's httpx.

Measured (``python -m bench.confirm_vs_echo``), most of the bot's own CPU time per update
was the HTTP client: building, sending and parsing a request in pure Python. aiohttp parses
HTTP in C; the same calls cost about half as much. Everything above the transport (retries,
flood control, error classes) is python-telegram-bot's own ``BaseRequest``, unchanged.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

USER_AGENT = "staff-report-bot (aiohttp)"


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` over one ``aiohttp.ClientSession`` with ``pool_size`` connections."""

    def __init__(
        self,
        *,
        pool_size: int = 1,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One call. ``pool_timeout`` is not used: a call waits for a free connection, and the
        pool is as large as the number of updates handled at once."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = self._chosen(read_timeout, self._read_timeout)
        connect = self._chosen(connect_timeout, self._connect_timeout)
        write = self._chosen(
            write_timeout, self._media_write_timeout if files else self._write_timeout
        )
        timeout = aiohttp.ClientTimeout(
            # aiohttp bounds reading the answer and connecting, not sending: an upload (the
            # one slow send) is bounded as a whole by the sum of the three
            total=_sum(connect, write, read) if files else None,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            body, headers = _body(fields, files)
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp.ServerTimeoutError too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error

    @staticmethod
    def _chosen(value: Any, default: float | None) -> float | None:
        return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


def _sum(*timeouts: float | None) -> float | None:
    if any(timeout is None for timeout in timeouts):
        return None
    return sum(timeout for timeout in timeouts if timeout is not None)


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _body(fields: dict[str, str] | None, files: dict[str, Any] | None) -> tuple[Any, Any]:
    """Form fields, urlencoded; multipart when there are files (as the Bot API takes them).

    The fields are encoded here rather than handed to aiohttp as a dict: aiohttp builds a
    FormData for a dict, whose multipart writer draws a random boundary on every call — a
    third of the cost of a small request."""
    if not files:
        return (urlencode(fields).encode("ascii"), _FORM) if fields else (None, None)
    form = aiohttp.FormData(quote_fields=False)  # a Thai file name as UTF-8, as httpx sends it
    for name, value in (fields or {}).items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None
