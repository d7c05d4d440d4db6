"""The kernel's tables of print statements and run-time error sites (ids are 1-based)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dsl._errors import SourceLoc
from dsl._runtime.abi import ErrorSite, PrintSite


@dataclass
class Sites:
    """Numbering of `print` calls and failing places; ends up in the kernel's ABI."""

    prints: dict[int, PrintSite] = field(default_factory=dict)
    errors: dict[int, ErrorSite] = field(default_factory=dict)

    def add_print(self, parts: tuple[str | None, ...], sep: str, end: str) -> int:
        """Register a print statement; returns its id."""
        site = len(self.prints) + 1
        self.prints[site] = PrintSite(parts, sep, end)
        return site

    def add_error(self, exception: str, message: str, loc: SourceLoc) -> int:
        """Register a place that can fail at run time; returns its id (the kernel's status)."""
        site = len(self.errors) + 1
        self.errors[site] = ErrorSite(exception, message, loc.file, loc.line, loc.col)
        return site
