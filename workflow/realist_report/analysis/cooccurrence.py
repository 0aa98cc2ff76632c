"""Code co-occurrence and candidate CMOCs: leads for the team to examine, never findings.

Both count evidence units exactly as CMOC linking does (`linking.window`: one coded segment, a
group of overlapping segments, or a whole source; `linking.assign_units`) and from the same
codings (`linking.coders`, `coders.counted_codings`): by default a double-coded source counts
once, by its reference coder; a second coder's codings serve coder agreement only, so they
neither add nor swap codes here.

**Co-occurrence**: for each pair of codes with a realist role (context, mechanism, outcome), the
units that carry both, with their distinct participants and sites and the ids of the codings.

**Candidate CMOCs**: (context, mechanism, outcome) code triads that co-occur in units, that no
configured CMOC covers, and whose co-occurrence configured CMOCs do not explain:

- a CMOC *covers* a triad when its context, mechanism and outcome lists hold the triad's three
  codes: the triad is then already counted as full evidence for that CMOC by linking;
- in one unit, a code is *explained* when a configured CMOC that lists it is itself present in
  that unit: coded directly there, or with codes of two or more of its parts on one passage
  (segment) of the unit. A unit
  where all three codes of a triad are explained is a *recombination*: configured CMOCs that
  meet in one unit (two CMOCs' passages in one interview under `window: source`, or one
  passage coded for two CMOCs) and not new evidence, so it is not counted for the triad;
- a triad is a candidate when its counted (unexplained) units reach `candidates.min_units`,
  from `min_participants` participants and `min_sites` sites. Triads that reach the minimums
  only with their recombination units are set aside and counted, not listed;
- a candidate that only *echoes* another is left out (counted, and named in the log): it shares
  two codes with the other candidate (the lead), the lead is in every one of its units, and
  there its third code is always explained by a configured CMOC present, while the lead's third
  code is unexplained in at least one of the lead's units.
  Under a wide window (a whole interview) a new lead meets every configured code of the
  interview; those crossings are the lead seen again, not further leads.

Candidates are ranked by counted units, then distinct participants, then distinct sites (more
first), ties in codebook order of the context, mechanism and outcome codes. Each keeps the ids
of its codings so `make trace CANDIDATE=<rank or id>` shows the passages behind it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from realist_report.analysis.coders import counted_codings
from realist_report.analysis.linking import assign_units, joined_ids_by
from realist_report.core.definitions import PARTS, Definitions

log = logging.getLogger(__name__)

PAIR_COLUMNS = [
    "code_a", "code_b", "role_a", "role_b", "units", "participants", "sites", "cmocs",
    "excerpt_ids",
]  # fmt: skip
CANDIDATE_COLUMNS = [
    "rank", "candidate_id", "context", "mechanism", "outcome", "units", "participants", "sites",
    "recombination_units", "one_part_from", "example_excerpt_ids", "excerpt_ids",
]  # fmt: skip
#: Joins a candidate's three code ids into its id (context+mechanism+outcome), stable across builds.
ID_SEPARATOR = "+"


@dataclass(frozen=True)
class Thresholds:
    """Minimums a triad's counted units must reach to be listed (config.yaml: candidates)."""

    min_units: int
    min_participants: int
    min_sites: int

    @classmethod
    def from_config(cls, candidates: dict) -> Thresholds:
        return cls(
            int(candidates["min_units"]),
            int(candidates["min_participants"]),
            int(candidates["min_sites"]),
        )


def code_order(definitions: Definitions) -> dict[str, tuple[int, int]]:
    """Sort key of each code: its realist role (context, mechanism, outcome, other), then its
    place in the codebook, so tables and the figure group C, M and O codes."""
    roles = definitions.codes["role"].tolist()
    return {
        code: (PARTS.index(role) if role in PARTS else len(PARTS), position)
        for position, (code, role) in enumerate(
            zip(definitions.codes["code_id"], roles, strict=True)
        )
    }


def unit_codes(
    clean: pd.DataFrame, definitions: Definitions, window: str, coders: str = "reference"
) -> pd.DataFrame:
    """One row per (evidence unit, code): the code's role, the unit's participant and site, and
    the ';'-joined ids of the codings of that code in that unit (the evidence coder's, as CMOC
    linking counts them) and of the segments (coded passages) that carry it."""
    columns = ["unit_id", "code", "role", "participant_id", "site_id", "excerpt_ids", "segment_ids"]
    if clean.empty:
        return pd.DataFrame(columns=columns)
    clean = counted_codings(clean, coders)
    codings = clean.assign(unit_id=assign_units(clean, window))
    roles = dict(zip(definitions.codes["code_id"], definitions.codes["role"], strict=True))
    # a unit never crosses a source, so its participant (null for fieldnotes) and site are one
    people = codings.groupby("unit_id")[["participant_id", "site_id"]].first()
    keys = ["unit_id", "code"]
    units = pd.concat(
        {
            "excerpt_ids": joined_ids_by(codings, keys, "excerpt_id"),
            "segment_ids": joined_ids_by(codings, keys, "segment_id"),
        },
        axis=1,
    ).reset_index()
    units["role"] = units["code"].map(roles).fillna("none")
    units = units.join(people, on="unit_id")
    return units[columns].sort_values(["unit_id", "code"]).reset_index(drop=True)


def _realist(units: pd.DataFrame, role: str | None = None) -> pd.DataFrame:
    """Unit codes with a realist role (or with the given one)."""
    return units[units["role"].isin([role] if role else list(PARTS))]


def _code_cmocs(definitions: Definitions) -> dict[str, set[str]]:
    """The configured CMOCs that list each code in any part."""
    cmocs: dict[str, set[str]] = {}
    for row in definitions.cmoc_parts.itertuples(index=False):
        cmocs.setdefault(row.code_id, set()).add(row.cmoc_id)
    return cmocs


def _people_counts(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Distinct units, participants (fieldnotes have none) and sites per group of keys."""
    return rows.groupby(keys).agg(
        units=("unit_id", "nunique"),
        participants=("participant_id", "nunique"),
        sites=("site_id", "nunique"),
    )


def _ids_of(rows: pd.DataFrame, keys: list[str], columns: list[str]) -> pd.Series:
    """The ';'-joined coding ids held in several id columns, per group of keys."""
    stacked = pd.concat(
        [rows[[*keys, column]].rename(columns={column: "ids"}) for column in columns],
        ignore_index=True,
    )
    return joined_ids_by(stacked, keys, "ids")


def code_pairs(units: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Each pair of realist codes seen together in a unit: counts, configured CMOCs listing both,
    and the ids of the pair's codings. code_a comes first in code_order (C before M before O)."""
    realist = _realist(units)
    if realist.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    order = code_order(definitions)
    realist = realist.assign(order=realist["code"].map(order))
    left = realist.add_suffix("_a").rename(columns={"unit_id_a": "unit_id"})
    right = realist[["unit_id", "code", "role", "excerpt_ids", "order"]].add_suffix("_b")
    both = left.merge(right.rename(columns={"unit_id_b": "unit_id"}), on="unit_id")
    both = both[both["order_a"] < both["order_b"]].rename(
        columns={"participant_id_a": "participant_id", "site_id_a": "site_id"}
    )
    keys = ["code_a", "code_b"]
    pairs = _people_counts(both, keys)
    pairs["excerpt_ids"] = _ids_of(both, keys, ["excerpt_ids_a", "excerpt_ids_b"])
    pairs = pairs.reset_index()
    roles = dict(zip(units["code"], units["role"], strict=False))
    pairs["role_a"] = pairs["code_a"].map(roles)
    pairs["role_b"] = pairs["code_b"].map(roles)
    listed = _code_cmocs(definitions)
    pairs["cmocs"] = [
        ";".join(sorted(listed.get(a, set()) & listed.get(b, set())))
        for a, b in zip(pairs["code_a"], pairs["code_b"], strict=True)
    ]
    pairs = pairs.assign(_a=pairs["code_a"].map(order), _b=pairs["code_b"].map(order)).sort_values(
        ["units", "participants", "sites", "_a", "_b"], ascending=[False] * 3 + [True] * 2
    )
    return pairs[PAIR_COLUMNS].reset_index(drop=True)


def covered_triads(definitions: Definitions) -> set[tuple[str, str, str]]:
    """Every (context, mechanism, outcome) triad some configured CMOC covers: one code from each
    of its context, mechanism and outcome lists (what linking counts as a full match)."""
    parts = definitions.cmoc_parts
    covered: set[tuple[str, str, str]] = set()
    for _, own in parts.groupby("cmoc_id", sort=False):
        lists = [own.loc[own["part"] == part, "code_id"].tolist() for part in PARTS]
        covered.update((c, m, o) for c in lists[0] for m in lists[1] for o in lists[2])
    return covered


def explained_codes(units: pd.DataFrame, definitions: Definitions) -> pd.MultiIndex:
    """(unit, code) pairs a configured CMOC explains: the CMOC lists the code and is present in
    the unit, coded directly there or with codes of two or more of its parts on one passage
    (segment) of the unit. Presence is judged per passage so that, under a wide window, a new
    passage carrying one code of a CMOC never makes that CMOC look present with another
    passage's code."""
    parts = units.merge(definitions.cmoc_parts, left_on="code", right_on="code_id")
    direct_codes = definitions.codes.dropna(subset=["direct_cmoc"])
    direct = units.merge(direct_codes, left_on="code", right_on="code_id")
    passages = parts.assign(segment_id=parts["segment_ids"].str.split(";")).explode("segment_id")
    n_parts = passages.groupby(["unit_id", "segment_id", "cmoc_id"])["part"].nunique()
    n_parts = n_parts[n_parts >= 2].reset_index()
    present = set(zip(n_parts["unit_id"], n_parts["cmoc_id"], strict=True)) | set(
        zip(direct["unit_id"], direct["direct_cmoc"], strict=True)
    )
    keys = list(zip(parts["unit_id"], parts["cmoc_id"], strict=True))
    explained = parts[pd.Series([key in present for key in keys], index=parts.index, dtype=bool)]
    return pd.MultiIndex.from_frame(explained[["unit_id", "code"]].drop_duplicates())


def _differs_in_one_part(triad: tuple[str, str, str], definitions: Definitions) -> str:
    """Configured CMOCs that hold two of the triad's codes, with the part that differs:
    'CMOC02 (context)' reads 'CMOC02 with another context'."""
    parts = definitions.cmoc_parts
    near = []
    for cmoc_id, own in parts.groupby("cmoc_id", sort=False):
        held = [
            code in set(own.loc[own["part"] == part, "code_id"])
            for part, code in zip(PARTS, triad, strict=True)
        ]
        if sum(held) == 2:
            near.append(f"{cmoc_id} ({PARTS[held.index(False)]})")
    return "; ".join(near)


def _examples(rows: pd.DataFrame, count: int = 2) -> str:
    """Example coding ids: the mechanism coding of the first units (in unit order), from
    different participants where there are several."""
    rows = rows.sort_values("unit_id")
    first = rows.drop_duplicates("participant_id")
    chosen = pd.concat([first, rows.drop(first.index)]).head(count)
    return ";".join(min(ids.split(";")) for ids in chosen["excerpt_ids_m"])


def unit_triads(units: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Every uncovered (context, mechanism, outcome) triad in every unit, flagged 'recombination'
    when configured CMOCs present in the unit explain all three codes."""
    by_role = {
        part: _realist(units, part)[["unit_id", "code", "excerpt_ids"]].rename(
            columns={"code": part, "excerpt_ids": f"excerpt_ids_{part[0]}"}
        )
        for part in PARTS
    }
    people = units.drop_duplicates("unit_id").set_index("unit_id")[["participant_id", "site_id"]]
    triads = (
        by_role["context"]
        .merge(by_role["mechanism"], on="unit_id")
        .merge(by_role["outcome"], on="unit_id")
    )
    covered = covered_triads(definitions)
    keep = [t not in covered for t in zip(*(triads[p] for p in PARTS), strict=True)]
    triads = triads[pd.Series(keep, index=triads.index, dtype=bool)].join(people, on="unit_id")
    explained = explained_codes(units, definitions)
    flags = [
        pd.MultiIndex.from_arrays([triads["unit_id"], triads[part]]).isin(explained)
        for part in PARTS
    ]
    triads = triads.assign(
        **{f"explained_{part}": flag for part, flag in zip(PARTS, flags, strict=True)}
    )
    return triads.assign(recombination=flags[0] & flags[1] & flags[2]).reset_index(drop=True)


def echoes(counted: pd.DataFrame, listed: list[tuple[str, str, str]]) -> dict[tuple, tuple]:
    """Listed triads that only echo another listed triad (the lead): they share two codes; in
    every unit of the echo the lead is there too and the echo's third code is explained by a
    configured CMOC present, while the lead's third code is unexplained in at least one of its
    own units (so two triads never echo each other). Under a wide window a new lead (c, m, o)
    meets every configured code of the interview, and (c, m', o) with m' from a configured CMOC
    present adds nothing. Returns echo -> lead."""
    keys = list(PARTS)
    own = counted[pd.MultiIndex.from_frame(counted[keys]).isin(listed)]
    columns = [*keys, "unit_id", *(f"explained_{part}" for part in PARTS)]
    flags = {
        (tuple(row[:3]), row[3]): row[4:] for row in own[columns].itertuples(index=False, name=None)
    }
    units: dict[tuple, list[str]] = {}
    for triad, unit in flags:
        units.setdefault(triad, []).append(unit)

    def echoed(echo: tuple, lead: tuple, part: int) -> bool:
        inside = all(flags[(echo, u)][part] and (lead, u) in flags for u in units[echo])
        return inside and not all(flags[(lead, u)][part] for u in units[lead])

    found: dict[tuple, tuple] = {}
    for part in range(len(PARTS)):
        alike: dict[tuple, list[tuple]] = {}
        for triad in listed:
            alike.setdefault(triad[:part] + triad[part + 1 :], []).append(triad)
        for group in alike.values():
            for echo in group:
                leads = [lead for lead in group if lead != echo and echoed(echo, lead, part)]
                if leads and echo not in found:
                    found[echo] = leads[0]
    return found


def _meets(counts: pd.DataFrame, thresholds: Thresholds) -> pd.Series:
    return (
        (counts["units"] >= thresholds.min_units)
        & (counts["participants"] >= thresholds.min_participants)
        & (counts["sites"] >= thresholds.min_sites)
    )


def candidate_cmocs(
    units: pd.DataFrame, definitions: Definitions, thresholds: Thresholds
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Ranked candidate CMOCs (see the module docstring for the rules) and how many triads were
    examined, covered by configured CMOCs, or set aside as recombinations."""
    triads = unit_triads(units, definitions)
    keys = list(PARTS)
    counted = triads[~triads["recombination"]]
    stats = {
        "uncovered_triads": int(triads[keys].drop_duplicates().shape[0]),
        "recombination_units": int(triads["recombination"].sum()),
    }
    if counted.empty:
        all_counts = _people_counts(triads, keys) if len(triads) else pd.DataFrame()
        stats["set_aside"] = int(_meets(all_counts, thresholds).sum()) if len(triads) else 0
        stats.update(echoes=0, candidates=0)
        return pd.DataFrame(columns=CANDIDATE_COLUMNS), stats
    counts = _people_counts(counted, keys)
    all_counts = _people_counts(triads, keys)
    listed = counts[_meets(counts, thresholds)]
    aside = all_counts[_meets(all_counts, thresholds)].index.difference(listed.index)
    echoed = echoes(counted, list(listed.index))
    listed = listed.drop(index=list(echoed))
    stats.update(set_aside=len(aside), echoes=len(echoed), candidates=len(listed))
    for echo, lead in sorted(echoed.items()):
        log.info(
            "left out %s: it echoes candidate %s", ID_SEPARATOR.join(echo), ID_SEPARATOR.join(lead)
        )
    if listed.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS), stats
    recombined = triads[triads["recombination"]].groupby(keys)["unit_id"].nunique()
    order = code_order(definitions)
    rows = []
    by_triad = counted.groupby(keys)
    for triad, row in listed.iterrows():
        own = by_triad.get_group(triad)
        ids = _ids_of(
            own.assign(key=0), ["key"], ["excerpt_ids_c", "excerpt_ids_m", "excerpt_ids_o"]
        )
        rows.append(
            {
                "candidate_id": ID_SEPARATOR.join(triad),
                **dict(zip(PARTS, triad, strict=True)),
                **{name: int(row[name]) for name in ("units", "participants", "sites")},
                "recombination_units": int(recombined.get(triad, 0)),
                "one_part_from": _differs_in_one_part(triad, definitions),
                "example_excerpt_ids": _examples(own),
                "excerpt_ids": ids.iloc[0],
                "_order": tuple(order[code] for code in triad),
            }
        )
    table = pd.DataFrame(rows)
    table = table.sort_values(
        ["units", "participants", "sites", "_order"], ascending=[False, False, False, True]
    ).reset_index(drop=True)
    table["rank"] = range(1, len(table) + 1)
    return table[CANDIDATE_COLUMNS], stats


# ---------------------------------------------------------------- report view and rule adapter


def candidates_view(candidates: pd.DataFrame, summary: dict) -> dict:
    """What the report appendix prints: the first `report_limit` candidates with their codes'
    labels, the rules and thresholds, and how many triads were covered or set aside."""
    labels = summary["labels"]
    limit = int(summary["settings"]["report_limit"])
    rows = [
        {
            **row,
            **{f"{part}_label": labels.get(row[part], row[part]) for part in PARTS},
            "examples": row["example_excerpt_ids"].split(";") if row["example_excerpt_ids"] else [],
        }
        for row in candidates.head(limit).to_dict("records")
    ]
    return {
        "candidates": {
            "rows": rows,
            "total": len(candidates),
            "not_shown": max(0, len(candidates) - limit),
            **{key: summary[key] for key in ("stats", "settings", "window", "pairs")},
        }
    }


def run_cooccurrence(
    clean_paths: list[str],
    codebook_path: str,
    cmocs_path: str,
    *,
    window: str,
    coders: str,
    candidates: dict,
    outputs: dict[str, str],
) -> None:
    """Rule adapter: code pairs and candidate CMOCs of the whole data set, as CSV (results/),
    parquet (the figure) and a JSON summary (the report)."""
    from realist_report.core.definitions import load_definitions
    from realist_report.core.tables import read_parquets, write_csv, write_json, write_parquet

    definitions = load_definitions(codebook_path, cmocs_path)
    units = unit_codes(read_parquets(clean_paths), definitions, window, coders)
    pairs = code_pairs(units, definitions)
    table, stats = candidate_cmocs(units, definitions, Thresholds.from_config(candidates))
    paths = dict(zip(definitions.codes["code_id"], definitions.codes["path"], strict=True))
    shown = {code for part in PARTS for code in table[part]}
    summary = {
        "window": window,
        "settings": dict(candidates),
        "stats": {**stats, "units": int(units["unit_id"].nunique())},
        "pairs": len(pairs),
        "labels": {code: str(paths[code]).split("::")[-1] for code in sorted(shown)},
    }
    write_csv(pairs, outputs["pairs"])
    write_parquet(pairs, outputs["pairs_parquet"])
    write_csv(table, outputs["candidates"])
    write_json(summary, outputs["summary"])
    log.info(
        "%d evidence units (window %s): %d code pairs; %d uncovered triads, %d candidate CMOCs, "
        "%d set aside as recombinations of configured CMOCs (%d recombination units)",
        summary["stats"]["units"], window, len(pairs), stats["uncovered_triads"],
        stats["candidates"], stats["set_aside"], stats["recombination_units"],
    )  # fmt: skip
