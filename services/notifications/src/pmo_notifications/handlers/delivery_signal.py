"""Wakes the delivery job as soon as a transaction that planned deliveries commits."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

_PENDING_FLAG = "pmo_deliveries_pending"


class DeliverySignal:
    """A broadcast to every delivery job running in this process."""

    def __init__(self) -> None:
        self._listeners: dict[asyncio.Event, asyncio.AbstractEventLoop] = {}

    def listen(self) -> asyncio.Event:
        """An event that is set whenever new deliveries are committed."""
        wake = asyncio.Event()
        self._listeners[wake] = asyncio.get_running_loop()
        return wake

    def forget(self, wake: asyncio.Event) -> None:
        """Stop setting `wake`."""
        self._listeners.pop(wake, None)

    def notify(self) -> None:
        """Wake every listener (safe from any thread)."""
        for wake, loop in list(self._listeners.items()):
            # A loop closed by an earlier test or shutdown cannot be woken any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    def notify_later(self, delay: float) -> None:
        """Wake every listener after `delay` seconds (a retry falls due then)."""
        asyncio.get_running_loop().call_later(delay, self.notify)


delivery_signal = DeliverySignal()


def mark_deliveries_planned(session: AsyncSession) -> None:
    """Ask for the delivery job to be woken when this session's transaction commits."""
    session.sync_session.info[_PENDING_FLAG] = True


@sa_event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_PENDING_FLAG, False):
        delivery_signal.notify()


@sa_event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_FLAG, None)
