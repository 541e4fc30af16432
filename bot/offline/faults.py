"""Fault injection: blocked chats, injected errors, a random share of failing calls."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.offline.state import State
from bot.offline.wire import ApiError

_FAULT_KINDS = frozenset(
    {
        "retry_after",
        "server_error",
        "bad_gateway",
        "disconnect",
        "lost_response",
        "timeout",
        "blocked",
    }
)


@dataclass
class _Fault:
    method: str | None
    status: int
    description: str
    retry_after: int | None
    times: int


class Faults(State):
    """The faults a test asks for; ``_next_fault`` says what the next call of a method meets."""

    def _init_faults(self) -> None:
        self._faults: list[_Fault] = []
        self._fault_share = 0.0
        self._fault_kinds: list[str] = []
        self._fault_methods: frozenset[str] | None = None
        self._rng = random.Random(0)
        self.slow_seconds = 2.0  # how late a "timeout" fault answers

    def block_chat(self, chat_id: int, *, notify: bool = False) -> None:
        """Make sends to ``chat_id`` fail with 403; ``notify`` feeds a my_chat_member update."""
        with self._cond:
            self._blocked.add(chat_id)
            if notify:
                self._feed("my_chat_member", self._member_change(chat_id, "member", "kicked"))

    def unblock_chat(self, chat_id: int) -> None:
        """Undo block_chat()."""
        with self._lock:
            self._blocked.discard(chat_id)

    def inject(
        self,
        method: str | None,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None: any method) with an error."""
        with self._lock:
            self._faults.append(_Fault(method, status, description, retry_after, times))

    def set_fault_rate(
        self,
        share: float,
        kinds: Sequence[str] = ("retry_after",),
        seed: int | None = 0,
        *,
        methods: Collection[str] | None = None,
    ) -> None:
        """Fail a random ``share`` of calls with one of ``kinds``.

        Kinds: retry_after (429, retry after 1 s), server_error (500), bad_gateway (502),
        disconnect (connection closed, nothing done), lost_response (done, answer lost),
        timeout (done, answered after ``slow_seconds``), blocked (403, bot blocked).
        ``methods`` None means every method except getUpdates.  share 0 turns it off.
        """
        unknown = set(kinds) - _FAULT_KINDS
        if unknown or not 0.0 <= share <= 1.0 or (share and not kinds):
            raise ValueError(f"bad fault settings: share={share} kinds={list(kinds)}")
        with self._lock:
            self._fault_share = share
            self._fault_kinds = list(kinds)
            self._fault_methods = None if methods is None else frozenset(m.lower() for m in methods)
            self._rng = random.Random(seed)

    def clear_faults(self) -> None:
        """Drop injected faults, the random fault rate and blocked chats."""
        with self._lock:
            self._faults.clear()
            self._fault_share = 0.0
            self._blocked.clear()

    def _next_fault(self, method: str) -> ApiError | str | None:
        for fault in self._faults:
            if fault.method is None or fault.method.lower() == method.lower():
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return ApiError(fault.status, fault.description, fault.retry_after)
        return self._random_fault(method)

    def _random_fault(self, method: str) -> ApiError | str | None:
        if self._fault_share <= 0:
            return None
        allowed = self._fault_methods
        if (allowed is None and method.lower() == "getupdates") or (
            allowed is not None and method.lower() not in allowed
        ):
            return None
        if self._rng.random() >= self._fault_share:
            return None
        kind = self._rng.choice(self._fault_kinds)
        if kind == "retry_after":
            return ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        if kind == "server_error":
            return ApiError(500, "Internal Server Error")
        if kind == "bad_gateway":
            return ApiError(502, "Bad Gateway")
        if kind == "blocked":
            return ApiError(403, "Forbidden: bot was blocked by the user")
        return kind
