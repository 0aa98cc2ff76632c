"""Project exceptions: messages written for a researcher, raised where the problem is found."""

from __future__ import annotations


class PipelineError(Exception):
    """Base class: every error the pipeline raises on purpose."""


class ConfigError(PipelineError):
    """The configuration, codebook or CMOC definitions are inconsistent or invalid."""


class InputFileError(PipelineError):
    """A whole input file cannot be used; the build must stop and name the file."""

    def __init__(
        self,
        path: str | object,
        problem: str,
        *,
        row: int | str | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.row = row
        self.column = column
        where = self.path
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {problem}")


class PrivacyError(PipelineError):
    """An identifier would reach a report: the build fails closed."""
