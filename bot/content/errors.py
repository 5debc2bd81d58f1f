"""Content problems, reported the way a compiler reports them: where, what, how to fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One problem in one content file."""

    path: Path
    message: str
    line: int | None = None
    where: str = ""
    hint: str = ""

    def __str__(self) -> str:
        location = f"{self.path}:{self.line}" if self.line else str(self.path)
        where = f" {self.where}:" if self.where else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{location}:{where} {self.message}{hint}"


class ContentError(Exception):
    """Raised when content cannot be loaded; carries every problem found, not only the first."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
