"""Validation errors of the workflow language: where, what was found, what was expected.

A ``LangError`` describes one problem; a ``ValidationError`` carries all the
problems found in one document (the parser keeps going after the first one
wherever the rest of the document still makes sense).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from levante.lang.spec import Location


@dataclass(frozen=True)
class LangError:
    """One problem in a workflow, workbook or actions document.

    ``path`` is the dotted path of the field (``workflows.wf1.tasks.t1.retry.count``,
    list items as ``on-success[0]``); empty for whole-document problems.
    ``message`` says what is wrong and, where it helps, what was expected and found.
    ``hint`` is an optional suggestion on how to fix it.
    """

    message: str = ""
    location: Location | None = None
    path: str = ""
    found: str | None = None
    expected: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.path:
            parts.append(self.path)
        detail = ""
        if self.expected is not None:
            detail = f"expected {self.expected}"
            if self.found is not None:
                detail += f", found {self.found}"
        elif self.found is not None:
            detail = f"found {self.found}"
        parts.append(": ".join(p for p in (self.message, detail) if p))
        line = ": ".join(parts)
        if self.hint:
            line += f" ({self.hint})"
        return line

    def sort_key(self) -> tuple[int, int, str]:
        """Order errors as they appear in the text."""
        if self.location is None:
            return (0, 0, self.path)
        return (self.location.line, self.location.column, self.path)


class ValidationError(ValueError):
    """A document is not valid; ``errors`` lists every problem found, in text order."""

    def __init__(self, errors: Iterable[LangError]) -> None:
        self.errors: tuple[LangError, ...] = tuple(sorted(errors, key=LangError.sort_key))
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.errors:
            return "invalid document"
        return "\n".join(str(e) for e in self.errors)

    @property
    def first(self) -> LangError:
        """The first problem in text order."""
        return self.errors[0]
