"""Validate and clean one ingested batch: every rejected row is quarantined with a reason.

Invariant (checked here and in tests): rows in = clean + quarantined + duplicates removed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import pandas as pd

from realist_report.core.definitions import Definitions, normalise_code
from realist_report.core.errors import InputFileError, PipelineError
from realist_report.core.excerpt_table import clean_excerpts_schema
from realist_report.core.ids import stable_id
from realist_report.core.vocabulary import current_design
from realist_report.privacy.redact import names_from_registers, redact_excerpts, value_tag

log = logging.getLogger(__name__)

QUARANTINE_COLUMNS = ["batch", "origin", "excerpt_id", "reason", "column", "detail"]
#: Quarantine fields that can carry a value from the export.
QUARANTINED_SCREENED_FIELDS = ("detail", "excerpt_id", "origin")
#: Terminal escape sequences (colour, cursor moves, window titles) and the other control
#: characters a terminal, a spreadsheet or an HTML page would act on; tab and newline are text.
TERMINAL_ESCAPE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])|\x9b[0-?]*[ -/]*[@-~]"
)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Any character neutralise_control_characters changes or starts a sequence at (carriage return,
#: ESC and CSI included; tab and line feed kept): text without one is returned as it is.
NEEDS_NEUTRALISING = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The largest offset a position column can hold (64-bit); larger values cannot be right.
MAX_OFFSET = 2**63 - 1
WHOLE_NUMBER = re.compile(r"(\d+)(?:\.0*)?")  # '12', or '12.0' as a spreadsheet writes it
#: Columns whose equality makes two rows the same coding (used for duplicate detection).
CONTENT_COLUMNS = ["source_id", "participant_id", "site_id", "wave", "code", "text", "start", "end"]


def _spelled(values: pd.Series, lookup) -> pd.Series:
    """Each distinct spelling looked up once (a batch has thousands of rows, a few waves)."""
    known = {v: lookup(v) for v in values.dropna().unique().tolist()}
    looked_up = [known.get(v) if pd.notna(v) else None for v in values.tolist()]
    # object dtype: an Arrow column of nothing but unknown spellings would map to Arrow's
    # null type, which cannot be filled
    return pd.Series(looked_up, index=values.index, dtype=object)


@dataclass
class CleanResult:
    """The clean rows, the quarantined rows with reasons, and the batch's row accounting."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    counts: dict[str, int | str]


class _Triage:
    """Records the first reason each row fails, in the order checks are applied."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.reason = pd.Series(pd.NA, index=frame.index, dtype="string")
        self.column = pd.Series(pd.NA, index=frame.index, dtype="string")
        self.detail = pd.Series(pd.NA, index=frame.index, dtype="string")

    def flag(
        self, mask: pd.Series, reason: str, column: pd.Series | str, detail: pd.Series | str
    ) -> None:
        mask = mask.fillna(False).astype(bool) & self.reason.isna()
        self.reason[mask] = reason
        self.column[mask] = column[mask] if isinstance(column, pd.Series) else column
        self.detail[mask] = detail[mask] if isinstance(detail, pd.Series) else detail

    @property
    def ok(self) -> pd.Series:
        return self.reason.isna()


def neutralise_control_characters(text: str) -> str:
    """Text with terminal escape sequences and control characters removed (line ends as \\n),
    so an excerpt cannot recolour a terminal, rewrite a trace line or break a CSV or the HTML;
    clean applies it to every text column, so everything downstream gets the neutral text."""
    if NEEDS_NEUTRALISING.search(text) is None:  # most text: one scan instead of four
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARACTERS.sub("", TERMINAL_ESCAPE.sub("", text))


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | series.astype("string").str.strip().eq("")


def _quoted(series: pd.Series) -> pd.Series:
    return "'" + series.astype("string").fillna("") + "'"


def _tagged(series: pd.Series) -> pd.Series:
    """Values the registers do not know, named by a short hash: they may be a person's name."""
    return series.map(value_tag).astype("string")


def _whole_numbers(series: pd.Series) -> pd.Series:
    """Offsets as exact integers: digits only, no exponent or sign, at most MAX_OFFSET."""
    values = []
    for value in series.astype("string").fillna("").str.strip().tolist():
        match = WHOLE_NUMBER.fullmatch(value)
        number = int(match.group(1)) if match else None
        values.append(number if number is not None and number <= MAX_OFFSET else None)
    return pd.Series(values, index=series.index, dtype="Int64")


def _offset_problems(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Offsets must be whole numbers (0 to MAX_OFFSET) with start <= end, or absent."""
    start, end = _whole_numbers(frame["start"]), _whole_numbers(frame["end"])
    given_start, given_end = ~_blank(frame["start"]), ~_blank(frame["end"])
    bad = (given_start & start.isna()) | (given_end & end.isna())
    reversed_ = (start.notna() & end.notna() & (start > end)).fillna(False).astype(bool)
    return bad, reversed_, start, end


def clean_batch(
    raw: pd.DataFrame,
    participants: pd.DataFrame,
    sites: pd.DataFrame,
    definitions: Definitions,
    *,
    on_invalid: str = "quarantine",
) -> CleanResult:
    """Normalise codes, waves and source types; check references; quarantine the rest."""
    batch = str(raw["batch"].iloc[0]) if len(raw) else ""
    frame, duplicates_removed, repeated = _without_exact_duplicates(_neutralised(raw))
    triage = _Triage(frame)
    _flag_ingest_problems(triage, frame)
    code_ids = _flag_codes(triage, frame, definitions)
    waves, source_types = _flag_design_terms(triage, frame)
    register = participants.set_index("participant_id")
    site_id = _flag_people_and_sites(triage, frame, register, sites, source_types)
    _flag_registered_waves(triage, frame, register, waves)
    start, end = _flag_offsets_and_ids(triage, frame)
    quarantine = frame.assign(reason=triage.reason, column=triage.column, detail=triage.detail).loc[
        ~triage.ok, QUARANTINE_COLUMNS
    ]
    # Details quote the rejected cell ("code '...'"): what was wrong stays, an identifier in
    # the cell becomes a placeholder before results/quarantine.csv or an error can show it.
    quarantine, _ = redact_excerpts(
        quarantine, names_from_registers(participants), QUARANTINED_SCREENED_FIELDS
    )
    ok = triage.ok
    clean = frame[ok].assign(
        code_label=frame["code"][ok],
        code=code_ids[ok],
        wave=waves[ok],
        source_type=source_types[ok],
        site_id=site_id[ok],
        role=frame["participant_id"][ok].map(register["role"]),
        participant_id=frame["participant_id"][ok].where(~_blank(frame["participant_id"])[ok]),
        start=start[ok],
        end=end[ok],
    )
    clean = clean_excerpts_schema().validate(_with_segment_ids(clean).reset_index(drop=True))
    counts = {
        "batch": batch,
        "source_rows": source_rows(raw),
        "rows_in": len(raw),
        "clean": len(clean),
        "quarantined": len(quarantine),
        "duplicates_removed": duplicates_removed,
        # kept: identical in every column but their row (see ingest.number_repeats)
        "repeated_codings": repeated,
    }
    check_row_accounting(counts)
    _fail_or_log(quarantine, counts, on_invalid)
    return CleanResult(clean, quarantine.reset_index(drop=True), counts)


def _neutralised(raw: pd.DataFrame) -> pd.DataFrame:
    """Text columns without control characters; ids and names trimmed, excerpts as exported."""
    frame = raw.reset_index(drop=True).copy()
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(
            frame[column]
        ):
            text = frame[column].astype("string")
            text = text.map(neutralise_control_characters, na_action="ignore").astype("string")
            # an excerpt stays as exported (its spaces are the export's); ids and names trimmed
            frame[column] = text if column == "text" else text.str.strip()
    return frame


def _without_exact_duplicates(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """Rows without exact duplicates, how many were removed, and how many codings repeat
    another in everything but their id (kept: distinct codings without positions)."""
    # the same coding twice from one coder; two coders' equal codings both stay (agreement)
    exact = frame.duplicated(subset=["excerpt_id", *CONTENT_COLUMNS, "coder"], keep="first")
    frame = frame[~exact]
    where = ["paragraphs"] if "paragraphs" in frame.columns else []  # MAXQDA, ATLAS.ti
    repeated = int(frame.duplicated([*CONTENT_COLUMNS, *where, "coder"], keep="first").sum())
    return frame, int(exact.sum()), repeated


def _flag_ingest_problems(triage: _Triage, frame: pd.DataFrame) -> None:
    """Rows ingest kept but could not complete (e.g. offsets outside the source), empty text."""
    if "problem" in frame.columns:
        problem = frame["problem"].astype("string")
        reasons = problem.fillna("").str.casefold().str.replace(r"\W+", "_", regex=True)
        # table ingest also says which column and why (problem_column, problem_detail)
        where = frame.get("problem_column", pd.Series("start", index=frame.index))
        why = frame.get("problem_detail", problem + " (REFI-QDA selection)")
        where = where.astype("string").fillna("start")
        why = why.astype("string").fillna(problem + " (REFI-QDA selection)")
        for reason in sorted(set(reasons[~_blank(problem)])):
            triage.flag(reasons == reason, reason, where, why)
    triage.flag(
        _blank(frame["text"]), "empty_text", "text", "text is empty; expected the coded passage"
    )


def _flag_codes(triage: _Triage, frame: pd.DataFrame, definitions: Definitions) -> pd.Series:
    """Each row's codebook code id (None when missing or unknown, flagged)."""
    # each distinct label normalised once (a batch has thousands of rows, tens of codes)
    known_codes = {
        label: definitions.lookup.get(normalise_code(label))
        for label in frame["code"].dropna().unique().tolist()
    }
    code_ids = frame["code"].map(lambda label: known_codes[label] if pd.notna(label) else None)
    triage.flag(_blank(frame["code"]), "missing_code", "code", "no code given")
    triage.flag(
        code_ids.isna(),
        "unknown_code",
        "code",
        "code " + _quoted(frame["code"]) + " is not in the codebook or its aliases",
    )
    return code_ids


def _flag_design_terms(triage: _Triage, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Waves and source types in the design's spelling (unrecognised ones flagged)."""
    design = current_design()
    waves = _spelled(frame["wave"], design.wave_of)
    triage.flag(
        waves.isna(),
        "wave_not_recognised",
        "wave",
        "wave "
        + _quoted(frame["wave"])
        + f" is not one of design.waves ({', '.join(design.wave_labels.values())}) or an alias",
    )
    source_types = _spelled(frame["source_type"], design.source_type_of)
    triage.flag(
        source_types.isna(),
        "source_type_not_recognised",
        "source_type",
        "source type "
        + _quoted(frame["source_type"])
        + f" is not one of design.source_types ({', '.join(design.source_type_labels)})",
    )
    return waves, source_types


def _flag_people_and_sites(
    triage: _Triage,
    frame: pd.DataFrame,
    register: pd.DataFrame,
    sites: pd.DataFrame,
    source_types: pd.Series,
) -> pd.Series:
    """Participants against the register, and each row's site (given, else the register's)."""
    design = current_design()
    needs_person = [t.id for t in design.source_types if t.needs_participant]
    has_person = ~_blank(frame["participant_id"])
    known = frame["participant_id"].isin(register.index)
    triage.flag(
        has_person & ~known,
        "unknown_participant",
        "participant_id",
        "participant id "
        + _tagged(frame["participant_id"])
        + " (a hash) is not in participants.csv",
    )
    triage.flag(
        ~has_person & source_types.isin(needs_person),
        "interview_without_participant",
        "participant_id",
        "a " + source_types.map(design.source_type_labels).fillna("") + " needs a participant id",
    )
    register_site = frame["participant_id"].map(register["site_id"])
    given_site = frame["site_id"].where(~_blank(frame["site_id"]))
    triage.flag(
        known & given_site.notna() & (given_site != register_site),
        "site_mismatch",
        "site_id",
        "site id "
        + _tagged(frame["site_id"])
        + " (a hash) differs from the register's "
        + _quoted(register_site),
    )
    site_id = given_site.fillna(register_site)
    triage.flag(
        ~site_id.isin(sites["site_id"]),
        "unknown_site",
        "site_id",
        "site id " + _tagged(site_id) + " (a hash) is not in sites.csv",
    )
    return site_id


def _flag_registered_waves(
    triage: _Triage, frame: pd.DataFrame, register: pd.DataFrame, waves: pd.Series
) -> None:
    """A registered participant's row must be in a wave the register lists for them."""
    known = frame["participant_id"].isin(register.index)
    registered_waves = frame["participant_id"].map(register["waves"]).fillna("")
    not_registered = [
        bool(wave) and person and wave not in allowed.split(";")
        for wave, person, allowed in zip(waves.fillna(""), known, registered_waves, strict=True)
    ]
    triage.flag(
        pd.Series(not_registered, index=frame.index),
        "wave_not_in_register",
        "wave",
        "participant " + _quoted(frame["participant_id"]) + " is not registered for this wave",
    )


def _flag_offsets_and_ids(triage: _Triage, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Whole-number, ordered offsets, and an id used once; the offsets as integers."""
    bad_offsets, reversed_offsets, start, end = _offset_problems(frame)
    triage.flag(
        bad_offsets,
        "offsets_not_whole_numbers",
        pd.Series("start", index=frame.index).where(~_blank(frame["start"]) & start.isna(), "end"),
        f"offsets must be whole numbers from 0 to {MAX_OFFSET:,} (digits only, no exponent)",
    )
    triage.flag(
        reversed_offsets, "offsets_reversed", "end", "end offset is before the start offset"
    )
    # after every other check: an id reused by a row that is otherwise fine
    conflicting = frame["excerpt_id"].duplicated(keep="first") & triage.ok
    triage.flag(
        conflicting,
        "duplicate_id_different_content",
        "excerpt_id",
        "id " + _quoted(frame["excerpt_id"]) + " was already used for a different coding",
    )
    return start, end


def _with_segment_ids(clean: pd.DataFrame) -> pd.DataFrame:
    """Each clean row's segment id: the same passage of the same source in any export."""
    parts = ["batch", "source_id", "start", "end", "text"]
    clean["segment_id"] = [
        stable_id(*values) for values in zip(*(clean[c].tolist() for c in parts), strict=True)
    ]
    return clean


def _fail_or_log(quarantine: pd.DataFrame, counts: dict, on_invalid: str) -> None:
    """Stop at the first quarantined row when cleaning.on_invalid is 'fail'; else log counts."""
    if on_invalid == "fail" and len(quarantine):
        first = quarantine.iloc[0]
        raise InputFileError(
            first["origin"],
            f"{len(quarantine)} row(s) failed validation and cleaning.on_invalid is 'fail'; "
            f"first: {first['reason']} in column '{first['column']}': {first['detail']}",
        )
    log.info(
        "batch %s: %d rows in, %d clean, %d quarantined, %d exact duplicates removed (same id "
        "and content); %d codings repeat another in source, code, text, position and coder "
        "(no character positions: kept as distinct codings)",
        counts["batch"], counts["rows_in"], counts["clean"], counts["quarantined"],
        counts["duplicates_removed"], counts["repeated_codings"],
    )  # fmt: skip


def source_rows(raw: pd.DataFrame) -> int:
    """Rows of the export file (tables) or coded selections (REFI-QDA) the codings came from:
    rows_in counts codings, one per code, so a row coded with three codes is three rows in."""
    return int(raw["origin"].nunique()) if len(raw) else 0


def check_row_accounting(counts: dict[str, int | str]) -> None:
    """Nothing silently dropped: rows in must equal clean + quarantined + duplicates removed."""
    accounted = (
        int(counts["clean"]) + int(counts["quarantined"]) + int(counts["duplicates_removed"])
    )
    if int(counts["rows_in"]) != accounted:
        raise PipelineError(
            f"batch {counts['batch']}: {counts['rows_in']} rows in but {accounted} accounted for "
            "(clean + quarantined + duplicates); this is a bug in the cleaning step"
        )


def run_clean(
    raw_path: str,
    sites_path: str,
    participants_path: str,
    codebook_path: str,
    cmocs_path: str,
    on_invalid: str,
    out_clean: str,
    out_quarantine: str,
    out_counts: str,
) -> CleanResult:
    """Rule adapter: clean one ingested batch; write clean rows, quarantine and row accounting."""
    from realist_report.core.definitions import load_definitions
    from realist_report.core.tables import read_parquet, write_json, write_parquet

    result = clean_batch(
        read_parquet(raw_path),
        read_parquet(participants_path),
        read_parquet(sites_path),
        load_definitions(codebook_path, cmocs_path),
        on_invalid=on_invalid,
    )
    for reason, count in result.quarantine["reason"].value_counts().sort_index().items():
        log.info("quarantined %d row(s): %s", count, reason)
    write_parquet(result.clean, out_clean)
    write_parquet(result.quarantine, out_quarantine)
    write_json(result.counts, out_counts)
    return result


def summarise_quality(counts: list[dict], quarantine: pd.DataFrame) -> pd.DataFrame:
    """Per-batch row accounting plus a total row; re-checks the invariant for every batch."""
    columns = ["batch", "source_rows", "rows_in", "clean", "quarantined", "duplicates_removed"]
    table = pd.DataFrame(counts, columns=[*columns, "repeated_codings"])
    table["repeated_codings"] = table["repeated_codings"].fillna(0).astype("int64")
    for row in counts:
        check_row_accounting(row)
    total = table.drop(columns="batch").sum().to_dict() | {"batch": "all batches"}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table["invariant_holds"] = (
        table["rows_in"] == table["clean"] + table["quarantined"] + table["duplicates_removed"]
    )
    return table


def run_collect_quality(
    counts_paths: list[str], quarantine_paths: list[str], out_quarantine: str, out_quality: str
) -> None:
    """Rule adapter: gather every batch's quarantine and accounting into reviewer CSVs."""
    from realist_report.core.tables import read_json, read_parquets, write_csv

    quarantine = read_parquets(quarantine_paths)
    if quarantine.empty:
        quarantine = pd.DataFrame(columns=QUARANTINE_COLUMNS)
    write_csv(quarantine, out_quarantine)
    write_csv(summarise_quality([read_json(p) for p in counts_paths], quarantine), out_quality)
