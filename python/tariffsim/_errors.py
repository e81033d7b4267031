"""Exceptions of tariffsim (the Rust side raises these classes directly)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

__all__ = ["Diagnostic", "ScenarioError", "ScenarioWarning"]


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a scenario, as ``tariffsim check`` prints it.

    Attributes:
        severity: ``"error"`` or ``"warning"``.
        file: the file the offending value was written in (``<string>`` for a scenario
            given as text, ``--set PATH`` for an override).
        line: 1-based line, or ``None`` when the value comes from no file.
        column: 1-based column (characters), or ``None``.
        key: the key path, e.g. ``routes[1].legs[0].rate.sigma`` (may be empty).
        message: what is wrong and what was expected.
        help: a suggestion (e.g. the nearest valid key for a typo), or ``None``.
        text: the whole diagnostic as the CLI prints it.
    """

    severity: str
    file: str
    line: Optional[int]
    column: Optional[int]
    key: str
    message: str
    help: Optional[str]
    text: str

    def __str__(self) -> str:
        return self.text


Raw = Tuple[str, str, Optional[int], Optional[int], str, str, Optional[str], str]


class ScenarioError(Exception):
    """A scenario that cannot run: every error found (as the CLI reports them).

    ``str(err)`` is the CLI's message. ``err.errors`` lists every error as a
    :class:`Diagnostic` and ``err.warnings`` the warnings found alongside;
    ``err.file``, ``err.line``, ``err.column``, ``err.key`` and ``err.message`` are
    those of the first error.
    """

    errors: List[Diagnostic]
    warnings: List[Diagnostic]

    def __init__(self, message: str, errors: Sequence[Raw] = (), warnings: Sequence[Raw] = ()):
        super().__init__(message)
        self.errors = [Diagnostic(*e) for e in errors]
        self.warnings = [Diagnostic(*w) for w in warnings]

    @property
    def diagnostics(self) -> List[Diagnostic]:
        """Errors, then warnings."""
        return self.errors + self.warnings

    def _first(self, attr: str):
        return getattr(self.errors[0], attr) if self.errors else None

    @property
    def file(self) -> Optional[str]:
        """File of the first error."""
        return self._first("file")

    @property
    def line(self) -> Optional[int]:
        """Line of the first error (1-based), or ``None``."""
        return self._first("line")

    @property
    def column(self) -> Optional[int]:
        """Column of the first error (1-based), or ``None``."""
        return self._first("column")

    @property
    def key(self) -> Optional[str]:
        """Key path of the first error."""
        return self._first("key")

    @property
    def message(self) -> Optional[str]:
        """Message of the first error."""
        return self._first("message")


class ScenarioWarning(UserWarning):
    """A scenario warning (it runs, but a researcher should look)."""
