"""Realist aggregation: link coded excerpts to CMOCs, count and rate the evidence, pick quotes.

Every aggregate row keeps `excerpt_ids` (';'-joined) so a reviewer can trace any number back to
the codings behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd

from realist_report.definitions import PARTS, Definitions

log = logging.getLogger(__name__)

WINDOWS = ("segment", "overlap", "source")
UNIT_COLUMNS = [
    "unit_id", "batch", "source_id", "source_type", "participant_id", "role", "site_id", "wave",
]  # fmt: skip
BREAKDOWNS = {"site": "site_id", "role": "role", "wave": "wave", "data type": "source_type"}
ROLE_LABELS = {
    "patient": "Patient",
    "link_worker": "Link worker",
    "primary_care_staff": "Primary care staff",
    "vcse": "VCSE staff",
    "other_link_worker": "Other link worker",
}
WAVE_LABELS = {"baseline": "baseline", "followup": "follow-up"}
SUPPORTING_MATCHES = ("full", "direct")


def site_label(site_id: str) -> str:
    """'S03' -> 'site 3': how a site is named in attributions and tables."""
    digits = "".join(ch for ch in str(site_id) if ch.isdigit())
    return f"site {int(digits)}" if digits else str(site_id)


def assign_units(clean: pd.DataFrame, window: str) -> pd.Series:
    """The evidence unit each coding belongs to: its segment, overlapping segments, or its source."""
    if window not in WINDOWS:
        raise ValueError(f"linking window must be one of {WINDOWS}, not {window!r}")
    if window == "segment":
        return clean["segment_id"]
    source_key = clean["batch"] + "/" + clean["source_id"]
    if window == "source":
        return source_key
    spans = clean[["segment_id", "start", "end"]].assign(source=source_key)
    spans = spans.drop_duplicates("segment_id").sort_values(
        ["source", "start", "end", "segment_id"]
    )
    start = spans["start"].fillna(-1).astype("int64")
    end = spans["end"].fillna(-1).astype("int64")
    reach = end.groupby(spans["source"]).cummax().groupby(spans["source"]).shift()
    new_group = reach.isna() | (start >= reach) | spans["start"].isna()
    group = spans["source"] + "#" + new_group.cumsum().astype(str)
    return clean["segment_id"].map(dict(zip(spans["segment_id"], group, strict=True)))


def link_evidence(
    clean: pd.DataFrame,
    definitions: Definitions,
    *,
    window: str = "segment",
    count_partial: bool = True,
) -> pd.DataFrame:
    """One row per (CMOC, evidence unit): how it matched (direct, full, partial) and its stance."""
    codings = clean.assign(unit_id=assign_units(clean, window))
    parts = codings.merge(definitions.cmoc_parts, left_on="code", right_on="code_id")
    by_unit = parts.groupby(["cmoc_id", "unit_id"]).agg(
        n_parts=("part", "nunique"), excerpt_ids=("excerpt_id", _join_ids)
    )
    by_unit["match"] = by_unit["n_parts"].map({3: "full", 2: "partial"})
    direct_codes = definitions.codes.dropna(subset=["direct_cmoc"])
    direct = codings.merge(
        direct_codes[["code_id", "direct_cmoc"]], left_on="code", right_on="code_id"
    )
    direct = direct.groupby(["direct_cmoc", "unit_id"]).agg(excerpt_ids=("excerpt_id", _join_ids))
    direct.index = direct.index.set_names(["cmoc_id", "unit_id"])
    links = by_unit.dropna(subset=["match"]).drop(columns="n_parts")
    if not count_partial:
        links = links[links["match"] == "full"]
    links = links.join(direct, how="outer", rsuffix="_direct")
    is_direct = links["excerpt_ids_direct"].notna()
    links["match"] = links["match"].where(~is_direct, "direct")
    links["excerpt_ids"] = [
        _join_ids([a, b])
        for a, b in zip(links["excerpt_ids"], links["excerpt_ids_direct"], strict=True)
    ]
    links = links.drop(columns="excerpt_ids_direct").reset_index()
    markers = codings[codings["code"].isin(["refutes", "refines"])]
    stance = markers.groupby("unit_id")["code"].agg(
        lambda codes: "refutes" if "refutes" in set(codes) else "refines"
    )
    marker_ids = markers.groupby("unit_id")["excerpt_id"].agg(_join_ids)
    links["stance"] = links["unit_id"].map(stance).fillna("supports")
    links["excerpt_ids"] = [
        _join_ids([ids, extra])
        for ids, extra in zip(links["excerpt_ids"], links["unit_id"].map(marker_ids), strict=True)
    ]
    attributes = codings.drop_duplicates("unit_id")[UNIT_COLUMNS + ["text", "collected_on"]]
    links = links.merge(attributes, on="unit_id", how="left")
    return links.sort_values(["cmoc_id", "unit_id"]).reset_index(drop=True)


def _join_ids(values: Sequence) -> str:
    """Sorted, de-duplicated ';'-joined ids (missing values skipped)."""
    ids: set[str] = set()
    for value in values:
        if isinstance(value, str) and value:
            ids.update(value.split(";"))
    return ";".join(sorted(ids))


def rate_strength(participants: int, sites: int, roles: int, rules: list[dict]) -> tuple[str, str]:
    """The first rating whose minimums are all met, and the rule written out in words."""
    observed = {"participants": participants, "sites": sites, "roles": roles}
    for rule in rules:
        minimums = {
            key.removeprefix("min_"): value for key, value in rule.items() if key.startswith("min_")
        }
        if all(observed[key] >= value for key, value in minimums.items()):
            met = ", ".join(
                f"{observed[key]} {key} \u2265 {value}" for key, value in minimums.items()
            )
            return rule["rating"], f"{rule['rating']}: {met}"
    return "unsupported", "unsupported: no supporting evidence meets the lowest rating"


def summarise_cmocs(
    links: pd.DataFrame, definitions: Definitions, rules: list[dict]
) -> pd.DataFrame:
    """Per CMOC: evidence counts, triangulation, stance, strength (with its rule) and excerpt ids.

    CMOCs without evidence stay in the table, rated 'unsupported'.
    """
    supporting = links[links["match"].isin(SUPPORTING_MATCHES) & (links["stance"] != "refutes")]
    rows = []
    for cmoc in definitions.cmocs.itertuples(index=False):
        own = supporting[supporting["cmoc_id"] == cmoc.cmoc_id]
        every = links[links["cmoc_id"] == cmoc.cmoc_id]
        participants = own["participant_id"].dropna().nunique()
        sites = own["site_id"].nunique()
        roles = own["role"].dropna().nunique()
        rating, rule = (
            rate_strength(participants, sites, roles, rules)
            if len(own)
            else ("unsupported", "unsupported: no supporting evidence")
        )
        rows.append(
            {
                "cmoc_id": cmoc.cmoc_id,
                "area": cmoc.area,
                "title": cmoc.title,
                "if": cmoc[3],
                "then": cmoc.then,
                "because": cmoc.because,
                "excerpts": len(own),
                "participants": participants,
                "sites": sites,
                "roles": roles,
                "data_types": own["source_type"].nunique(),
                "baseline_excerpts": int((own["wave"] == "baseline").sum()),
                "followup_excerpts": int((own["wave"] == "followup").sum()),
                "direct": int((own["match"] == "direct").sum()),
                "partial": int((every["match"] == "partial").sum()),
                "refuting": int(
                    ((every["stance"] == "refutes") & every["match"].isin(SUPPORTING_MATCHES)).sum()
                ),
                "refining": int((own["stance"] == "refines").sum()),
                "strength": rating,
                "strength_rule": rule,
                "excerpt_ids": _join_ids(own["excerpt_ids"]),
            }
        )
    summary = pd.DataFrame(rows)
    titles = dict(zip(definitions.areas["area_id"], definitions.areas["area_title"], strict=True))
    summary.insert(2, "area_title", summary["area"].map(titles))
    return summary


def evidence_matrix(links: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Long table: supporting excerpts and participants per CMOC by site, role, wave and data type."""
    supporting = links[links["match"].isin(SUPPORTING_MATCHES) & (links["stance"] != "refutes")]
    frames = []
    for dimension, column in BREAKDOWNS.items():
        grouped = supporting.groupby(["cmoc_id", column], dropna=False).agg(
            excerpts=("unit_id", "nunique"),
            participants=("participant_id", "nunique"),
            excerpt_ids=("excerpt_ids", _join_ids),
        )
        grouped = grouped.reset_index().rename(columns={column: "value"})
        grouped["value"] = grouped["value"].fillna("(fieldnotes)")
        frames.append(grouped.assign(dimension=dimension))
    columns = ["cmoc_id", "dimension", "value", "excerpts", "participants", "excerpt_ids"]
    if not frames:
        return pd.DataFrame(columns=columns)
    matrix = pd.concat(frames, ignore_index=True)[columns]
    order = {cmoc: i for i, cmoc in enumerate(definitions.cmocs["cmoc_id"])}
    return matrix.sort_values(
        ["cmoc_id", "dimension", "value"], key=lambda s: s.map(order) if s.name == "cmoc_id" else s
    ).reset_index(drop=True)


def attribution(role: object, site_id: str, wave: str) -> str:
    """'Patient, site 3, follow-up'; fieldnotes are attributed to the observation."""
    who = (
        ROLE_LABELS.get(role, "Observation fieldnote")
        if isinstance(role, str)
        else "Observation fieldnote"
    )
    return f"{who}, {site_label(site_id)}, {WAVE_LABELS.get(wave, wave)}"


def select_quotes(
    links: pd.DataFrame,
    definitions: Definitions,
    *,
    per_cmoc: int = 2,
    min_chars: int = 60,
    max_chars: int = 420,
    allow_reuse: bool = False,
) -> pd.DataFrame:
    """Deterministic exemplar quotes: full matches first, distinct participants and sites, no reuse."""
    candidates = links[
        links["match"].isin(SUPPORTING_MATCHES)
        & (links["stance"] != "refutes")
        & links["text"].str.len().between(min_chars, max_chars)
    ].copy()
    candidates["rank_match"] = (candidates["match"] != "full").astype(int)
    candidates["rank_length"] = (candidates["text"].str.len() - 200).abs()
    candidates = candidates.sort_values(["cmoc_id", "rank_match", "rank_length", "unit_id"])
    used_units: set[str] = set()
    used_texts: set[str] = set()
    chosen = []
    for cmoc_id in definitions.cmocs["cmoc_id"]:
        people: set[str] = set()
        places: set[str] = set()
        picked = 0
        pool = candidates[candidates["cmoc_id"] == cmoc_id]
        for require_new_site in (True, False):
            for row in pool.itertuples(index=False):
                if picked >= per_cmoc:
                    break
                if (row.unit_id in used_units and not allow_reuse) or (
                    isinstance(row.participant_id, str) and row.participant_id in people
                ):
                    continue
                if (require_new_site and row.site_id in places) or row.text in used_texts:
                    continue
                used_units.add(row.unit_id)
                used_texts.add(row.text)
                people.add(row.participant_id) if isinstance(row.participant_id, str) else None
                places.add(row.site_id)
                picked += 1
                chosen.append(
                    {
                        "cmoc_id": cmoc_id,
                        "quote_number": picked,
                        "text": row.text,
                        "attribution": attribution(row.role, row.site_id, row.wave),
                        "excerpt_ids": row.excerpt_ids,
                        "unit_id": row.unit_id,
                    }
                )
    return pd.DataFrame(
        chosen, columns=["cmoc_id", "quote_number", "text", "attribution", "excerpt_ids", "unit_id"]
    )


def participants_by_site(participants: pd.DataFrame) -> pd.DataFrame:
    """Methods table: registered participants per role and wave, by site (from the register)."""
    waves = participants.assign(wave=participants["waves"].str.split(";")).explode("wave")
    table = pd.crosstab([waves["role"], waves["wave"]], waves["site_id"])
    table["total"] = table.sum(axis=1)
    return table.reset_index()


def run_aggregate(
    clean_paths: list[str],
    codebook_path: str,
    cmocs_path: str,
    *,
    linking: dict,
    strength: list[dict],
    quotes: dict,
    outputs: dict[str, str],
) -> None:
    """Rule adapter: link, count, rate and quote; write parquet for the pipeline, CSV for reviewers."""
    from realist_report.definitions import load_definitions
    from realist_report.tables import read_parquets, write_csv, write_json, write_parquet

    definitions = load_definitions(codebook_path, cmocs_path)
    clean = read_parquets(clean_paths)
    links = link_evidence(clean, definitions, **linking)
    summary = summarise_cmocs(links, definitions, strength)
    matrix = evidence_matrix(links, definitions)
    chosen = select_quotes(links, definitions, **quotes)
    log.info("%d coded rows -> %d CMOC evidence links", len(clean), len(links))
    for row in summary.itertuples(index=False):
        log.info(
            "%s: %d excerpts, %d participants, %d sites -> %s",
            row.cmoc_id,
            row.excerpts,
            row.participants,
            row.sites,
            row.strength,
        )
    write_parquet(links, outputs["links"])
    write_parquet(summary, outputs["summary_parquet"])
    write_csv(summary, outputs["summary"])
    write_parquet(matrix, outputs["matrix_parquet"])
    write_csv(matrix, outputs["matrix"])
    write_csv(chosen, outputs["quotes"])
    write_json(
        {"snapshot_date": str(clean["collected_on"].dropna().max()), "clean_rows": len(clean)},
        outputs["snapshot"],
    )
