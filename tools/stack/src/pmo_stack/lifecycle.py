"""The one context-manager shape of everything the stack starts: start, wait until ready, stop."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Startable:
    """`with thing:` starts it, waits until it is ready, and stops it on the way out."""

    def start(self) -> None:
        """Start in the background."""
        raise NotImplementedError

    def wait_ready(self) -> None:
        """Block until ready to serve; things ready once started need not override it."""

    def stop(self) -> None:
        """Stop and release what was started."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
