"""Progress for long commands: one bar step per stage, silent when not on a terminal."""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm


class StageProgress:
    """A stage listener (``on_stage``) that advances a tqdm bar and names the current stage."""

    def __init__(self, stages: list[str], *, enabled: bool | None = None) -> None:
        # disable=None is tqdm's "only on a TTY"; the bar goes to stderr, results to stdout.
        self._bar = tqdm(
            total=len(stages),
            unit="stage",
            file=sys.stderr,
            leave=False,
            disable=None if enabled is None else not enabled,
        )
        self._started = False

    def __call__(self, stage: str) -> None:
        if self._started:
            self._bar.update(1)
        self._started = True
        self._bar.set_description(stage)

    def __enter__(self) -> StageProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._started and exc is None:
            self._bar.update(1)
        self._bar.close()
