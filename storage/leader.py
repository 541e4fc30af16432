"""Which process runs the scheduler tick: a PostgreSQL advisory lock, held on a connection of
its own for as long as the process lives. When the process dies, its connection closes and
PostgreSQL releases the lock; another process takes it at its next try.

SQLite runs one process, which is always the leader.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from storage.models import Heartbeat

log = logging.getLogger(__name__)
LOCK_KEY = 0x5E4D_B07  # any constant shared by every process of one deployment
# The lock is (LOCK_KEY, the schema's hash): two deployments in two schemas of one database
# (a ministry's provinces, or a test per schema) each have a leader of their own.
_TRY = text("SELECT pg_try_advisory_lock(:key, hashtext(current_schema()))")
_UNLOCK = text("SELECT pg_advisory_unlock(:key, hashtext(current_schema()))")
TICK = "tick"


class Leadership:
    """Try, hold and lose the scheduler lock."""

    def __init__(self, engine: Engine, *, key: int = LOCK_KEY) -> None:
        self.engine = engine
        self.key = key % 2**31  # the two-key lock takes a 32-bit integer
        self._connection: Connection | None = None

    @property
    def shared(self) -> bool:
        """Whether several processes may run against this database."""
        return self.engine.dialect.name == "postgresql"

    def is_leader(self) -> bool:
        """True while we hold the lock (trying to take it if we do not)."""
        if not self.shared:
            return True
        if self._connection is not None and self._alive():
            return True
        return self._try()

    def _alive(self) -> bool:
        assert self._connection is not None
        try:
            self._connection.execute(text("SELECT 1"))
        except DBAPIError:
            log.warning("lost the connection that held the scheduler lock")
            self._drop()
            return False
        return True

    def _try(self) -> bool:
        connection = self.engine.connect()
        try:
            held = bool(connection.execute(_TRY, {"key": self.key}).scalar_one())
            connection.commit()
        except DBAPIError:
            connection.close()
            return False
        if not held:
            connection.close()
            return False
        self._connection = connection
        log.info("this process now runs the scheduler tick")
        return True

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.close()
            self._connection = None

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(_UNLOCK, {"key": self.key})
                self._connection.commit()
            except DBAPIError:
                pass
        self._drop()


def beat(session: Session, *, holder: str, at: datetime) -> None:
    """Record that ``holder`` ran the tick at ``at``."""
    row = session.get(Heartbeat, TICK) or Heartbeat(name=TICK, holder=holder, at=at)
    row.holder, row.at = holder, at
    session.add(row)


def last_beat(session: Session) -> Heartbeat | None:
    return session.get(Heartbeat, TICK)
