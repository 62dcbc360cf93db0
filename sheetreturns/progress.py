"""How far a run has got, told to a callback the caller supplies (the CLI draws a bar; the library never prints)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")

SYNC_STAGES = ("read", "evaluate", "emails", "write")
ROWS_EVERY = 5000  # rows between two updates while a sheet is read


@dataclass(frozen=True)
class Progress:
    """One update: `done` of `total` stages finished, and what is happening now in words."""

    stage: str  # read, evaluate, emails, write, done
    done: int
    total: int
    message: str


ProgressCallback = Callable[[Progress], None]


class Reporter:
    """Turns the job's milestones into Progress updates; does nothing without a callback."""

    def __init__(self, callback: ProgressCallback | None, stages: tuple[str, ...] = SYNC_STAGES) -> None:
        self.callback = callback
        self.stages = stages
        self.current = stages[0]

    def stage(self, name: str, message: str) -> None:
        self.current = name
        if self.callback is not None:
            self.callback(Progress(name, self.stages.index(name), len(self.stages), message))

    def finished(self, message: str) -> None:
        if self.callback is not None:
            self.callback(Progress("done", len(self.stages), len(self.stages), message))

    def count(self, items: Iterable[T], message: str, every: int | None = None) -> Iterable[T]:
        """Pass `items` through, updating the current stage's message ("... {n} rows") every `every` items."""
        if self.callback is None:
            return items
        return self._counted(items, message, every or ROWS_EVERY)

    def _counted(self, items: Iterable[T], message: str, every: int) -> Iterator[T]:
        n = 0
        for n, item in enumerate(items, start=1):
            if n % every == 0:
                self.stage(self.current, message.format(n=f"{n:,}"))
            yield item
