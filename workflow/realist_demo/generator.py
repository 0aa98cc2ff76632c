"""Seeded generator of synthetic, study-shaped demo data (registers plus coded export batches).

Same seed and scale give identical files, so the committed demo set can be regenerated and
checked. The scale factor multiplies sites and participants (and hence excerpts) for benchmarks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from realist_report.core.excerpt_table import EXCERPT_COLUMNS

from realist_demo.phrases import (
    FIELDNOTE_FILLER,
    FIELDNOTE_OPENERS,
    FILLER,
    HEDGES,
    PHRASES,
    REFINES_TAGS,
    REFUTES_TAGS,
    REFUTING,
)
from realist_demo.qdpx_writer import Memo

DEFAULT_SEED = 20210301
CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"

#: Published participant numbers per role (baseline), and follow-up patients.
BASELINE_COUNTS = {
    "patient": 61,
    "primary_care_staff": 61,
    "other_link_worker": 5,
    "vcse": 20,
    "link_worker": 7,
}
FOLLOWUP_PATIENTS = 41
SITES_PER_SCALE = 7

ID_PREFIX = {
    "patient": "PAT",
    "primary_care_staff": "PCS",
    "other_link_worker": "OLW",
    "vcse": "VCSE",
    "link_worker": "LW",
}
#: How many coded segments an interview yields, per role (low, high inclusive).
SEGMENTS_PER_INTERVIEW = {
    "patient": (3, 6),
    "primary_care_staff": (2, 5),
    "other_link_worker": (3, 6),
    "vcse": (2, 5),
    "link_worker": (8, 13),
}
#: Which CMOCs each role tends to speak to (relative weights), by wave.
CMOC_WEIGHTS = {
    ("patient", "baseline"): {"CMOC01": 4, "CMOC02": 3, "CMOC07": 4, "CMOC08": 3, "CMOC09": 1},
    ("patient", "followup"): {"CMOC02": 2, "CMOC07": 3, "CMOC08": 4, "CMOC09": 3},
    ("primary_care_staff", "baseline"): {
        "CMOC01": 1, "CMOC04": 4, "CMOC05": 3, "CMOC06": 4, "CMOC09": 1, "CMOC10": 2, "CMOC11": 1,
    },
    ("vcse", "baseline"): {"CMOC02": 5, "CMOC08": 2, "CMOC04": 1, "CMOC09": 1},
    ("other_link_worker", "baseline"): {"CMOC03": 3, "CMOC10": 3, "CMOC11": 3, "CMOC12": 1, "CMOC02": 2},
    ("link_worker", "baseline"): {
        "CMOC01": 2, "CMOC02": 2, "CMOC03": 4, "CMOC04": 1, "CMOC05": 2,
        "CMOC06": 1, "CMOC08": 1, "CMOC10": 3, "CMOC11": 2, "CMOC12": 1,
    },
    ("link_worker", "followup"): {
        "CMOC03": 2, "CMOC05": 3, "CMOC09": 2, "CMOC10": 4, "CMOC11": 4, "CMOC12": 4,
    },
    ("observation", "baseline"): {
        "CMOC01": 3, "CMOC02": 2, "CMOC04": 2, "CMOC05": 2, "CMOC06": 2, "CMOC07": 2, "CMOC10": 2,
    },
}  # fmt: skip

SITE_ATTRIBUTES = {
    "region": [
        "North East", "North West", "Yorkshire and the Humber", "West Midlands",
        "East of England", "London", "South West",
    ],
    "employer_type": [
        "GP practice", "Primary care network", "VCSE organisation", "Local authority",
        "Primary care network", "VCSE organisation", "GP practice",
    ],
    "setting": ["Urban", "Rural", "Coastal town", "Inner city", "Market town", "Inner city", "Rural"],
    "team_model": [
        "Lone link worker", "Team of link workers", "Lone link worker", "Team of link workers",
        "Lone link worker", "Team of link workers", "Lone link worker",
    ],
}  # fmt: skip
PATIENT_ATTRIBUTES = {
    "age_band": (["18-34", "35-49", "50-64", "65-79", "80+"], [0.15, 0.22, 0.28, 0.25, 0.10]),
    "gender": (["Female", "Male", "Non-binary"], [0.58, 0.40, 0.02]),
    "ethnicity": (
        [
            "White British",
            "Asian or Asian British",
            "Black or Black British",
            "Mixed",
            "Other White",
        ],
        [0.72, 0.11, 0.07, 0.04, 0.06],
    ),
    "long_term_condition": (["Yes", "No"], [0.64, 0.36]),
}
STAFF_GROUPS = ["GP", "Practice nurse", "Receptionist", "Practice manager", "Pharmacist"]
CODERS = ["coder_a", "coder_b", "coder_c"]
SEGMENT_KINDS = (["full", "partial", "direct"], [0.72, 0.18, 0.10])


@dataclass
class Batch:
    """One export batch: its canonical coded rows and the full text of each source."""

    name: str
    file_format: str  # csv | xlsx | qdpx
    excerpts: pd.DataFrame
    sources: dict[str, str] = field(default_factory=dict)
    #: Analysts' memos, written into a REFI-QDA project (qdpx batches only).
    memos: list[Memo] = field(default_factory=list)


@dataclass
class DemoDataset:
    """Registers plus coded export batches, ready to write as a data set folder."""

    sites: pd.DataFrame
    participants: pd.DataFrame
    batches: list[Batch]


def load_definitions(config_dir: Path = CONFIG_DIR) -> tuple[dict, dict]:
    """Read the codebook and CMOC definitions the demo is coded against."""
    codebook = yaml.safe_load((config_dir / "codebook.yaml").read_text(encoding="utf-8"))
    cmocs = yaml.safe_load((config_dir / "cmocs.yaml").read_text(encoding="utf-8"))
    return codebook, cmocs


def _id_width(count: int) -> int:
    return max(2, len(str(count)))


def make_sites(rng: np.random.Generator, scale: int) -> pd.DataFrame:
    """Sites with varied attributes; observation hours reflect about three weeks of fieldwork."""
    n = SITES_PER_SCALE * scale
    width = _id_width(n)
    rows = []
    for i in range(n):
        pattern = i % SITES_PER_SCALE
        rows.append(
            {
                "site_id": f"S{i + 1:0{width}d}",
                "region": SITE_ATTRIBUTES["region"][pattern],
                "employer_type": SITE_ATTRIBUTES["employer_type"][pattern],
                "setting": SITE_ATTRIBUTES["setting"][pattern],
                "team_model": SITE_ATTRIBUTES["team_model"][pattern],
                "observation_hours": int(rng.integers(96, 126)),
                "fieldwork_start": (
                    dt.date(2021, 3, 1) + dt.timedelta(days=35 * (i % 9) + int(rng.integers(0, 10)))
                ).isoformat(),
            }
        )
    return pd.DataFrame(rows)


def make_participants(rng: np.random.Generator, sites: pd.DataFrame, scale: int) -> pd.DataFrame:
    """Participants spread over sites, with patient subgroups and follow-up membership."""
    site_ids = sites["site_id"].tolist()
    rows = []
    for role, per_scale in BASELINE_COUNTS.items():
        n = per_scale * scale
        width = _id_width(n) if role != "patient" else max(3, len(str(n)))
        for i in range(n):
            row = {
                "participant_id": f"{ID_PREFIX[role]}-{i + 1:0{width}d}",
                "site_id": site_ids[i % len(site_ids)],
                "role": role,
                "waves": "baseline",
                "staff_group": "",
            }
            if role == "patient":
                for attribute, (values, weights) in PATIENT_ATTRIBUTES.items():
                    row[attribute] = str(rng.choice(values, p=weights))
            else:
                row.update({attribute: "" for attribute in PATIENT_ATTRIBUTES})
            if role == "primary_care_staff":
                row["staff_group"] = STAFF_GROUPS[int(rng.integers(0, len(STAFF_GROUPS)))]
            rows.append(row)
    participants = pd.DataFrame(rows)
    patients = participants.index[participants["role"] == "patient"]
    followed = rng.choice(patients, size=FOLLOWUP_PATIENTS * scale, replace=False)
    followed_up = participants.index.isin(followed) | (participants["role"] == "link_worker")
    participants.loc[followed_up, "waves"] = "baseline;followup"
    columns = ["participant_id", "site_id", "role", "waves", "staff_group", *PATIENT_ATTRIBUTES]
    return participants[columns]


class _SegmentWriter:
    """Builds coded segments and the source texts they are cut from."""

    def __init__(self, rng: np.random.Generator, codebook: dict, cmocs: dict) -> None:
        self.rng = rng
        self.codes = {code["id"]: code for code in codebook["codes"]}
        self.cmocs = {cmoc["id"]: cmoc for cmoc in cmocs["cmocs"]}

    def pick(self, options: list) -> object:
        return options[int(self.rng.integers(0, len(options)))]

    def code_path(self, code_id: str) -> str:
        """Mostly the codebook path; now and then an alias, as real exports mix spellings."""
        code = self.codes[code_id]
        if code["aliases"] and self.rng.random() < 0.06:
            return str(self.pick(code["aliases"]))
        return code["path"]

    def segment(self, cmoc_id: str, voice: str, opener: str = "") -> tuple[str, list[str]]:
        """One coded segment for a CMOC in a voice (a role, or the observer): its text and the
        code paths applied to it. A refuting passage takes its wording from REFUTING at the
        position drawn, so the draws (and hence every count) do not depend on the stance."""
        cmoc = self.cmocs[cmoc_id]
        parts = {part: str(self.pick(cmoc[part])) for part in ("context", "mechanism", "outcome")}
        kind = self.rng.choice(SEGMENT_KINDS[0], p=SEGMENT_KINDS[1])
        order = ["context", "mechanism", "outcome"]
        if kind == "partial":
            order.remove(str(self.pick(order)))
        drawn = [(parts[part], self.draw(len(PHRASES[parts[part]][voice]))) for part in order]
        codes = [self.code_path(parts[part]) for part in order]
        if kind == "direct":
            codes = [f"CMOC::{cmoc_id}", self.code_path(parts["outcome"])]
        sentences = [PHRASES[code][voice][i] for code, i in drawn]
        marker_draw = self.rng.random()
        if marker_draw < 0.05:
            tag = str(self.pick(REFUTES_TAGS[voice]))
            # each CMOC starts one wording further on, so two CMOCs sharing a code differ
            shift = list(self.cmocs).index(cmoc_id)
            sentences = [_cycled(REFUTING[code][voice], i + shift) for code, i in drawn]
            if "outcome" not in order:
                sentences.append(tag)
            codes.append(self.codes["refutes"]["path"])
        elif marker_draw < 0.11:
            sentences.append(str(self.pick(REFINES_TAGS[voice])))
            codes.append(self.codes["refines"]["path"])
        hedge = opener if opener else str(self.pick(HEDGES))
        first = hedge + _lower_first(sentences[0]) if hedge else sentences[0]
        return " ".join([first, *sentences[1:]]), codes

    def draw(self, count: int) -> int:
        """A position among `count` options (the draw `pick` makes)."""
        return int(self.rng.integers(0, count))


def _cycled(options: list[str], position: int) -> str:
    return options[position % len(options)]


def _lower_first(sentence: str) -> str:
    """A sentence continuing a hedge or an opener: its first letter lower-cased unless the first
    word is "I" (I, I'm, I've) or an abbreviation (GP, VCSE)."""
    word = sentence.split(" ", 1)[0]
    if word == "I" or word.startswith("I'") or (len(word) > 1 and word[1].isupper()):
        return sentence
    return sentence[0].lower() + sentence[1:]


def _weighted_choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    p = np.array([weights[key] for key in keys], dtype=float)
    return str(keys[int(rng.choice(len(keys), p=p / p.sum()))])


def _collect_rows(
    writer: _SegmentWriter,
    *,
    batch: str,
    source_id: str,
    source_type: str,
    participant_id: str,
    site_id: str,
    wave: str,
    collected_on: str,
    voice: str,
    cmoc_weights: dict[str, float],
    n_segments: int,
    openers: list[str] | None = None,
    fillers: list[str] = FILLER,
) -> tuple[list[dict], str]:
    """Rows for one source (one per code per segment) and the source's full text."""
    rng = writer.rng
    chunks: list[str] = []
    rows: list[dict] = []
    offset = 0
    coder = str(writer.pick(CODERS))
    for _ in range(n_segments):
        if rng.random() < 0.35:
            filler = str(writer.pick(fillers))
            chunks.append(filler)
            offset += len(filler) + 2
        opener = str(writer.pick(openers)) if openers else ""
        text, codes = writer.segment(_weighted_choice(rng, cmoc_weights), voice, opener)
        start, end = offset, offset + len(text)
        chunks.append(text)
        offset = end + 2
        for code in codes:
            rows.append(
                {
                    "source_id": source_id,
                    "source_type": source_type,
                    "participant_id": participant_id,
                    "site_id": site_id,
                    "wave": wave,
                    "collected_on": collected_on,
                    "code": code,
                    "text": text,
                    "start": start,
                    "end": end,
                    "coder": coder,
                }
            )
    return rows, "\n\n".join(chunks)


def _interview_batch(
    writer: _SegmentWriter,
    name: str,
    participants: pd.DataFrame,
    sites: pd.DataFrame,
    wave: str,
    file_format: str = "csv",
) -> Batch:
    """An interview export batch for the given participants at one wave."""
    rng = writer.rng
    starts = dict(zip(sites["site_id"], sites["fieldwork_start"], strict=True))
    rows: list[dict] = []
    sources: dict[str, str] = {}
    suffix = "BL" if wave == "baseline" else "FU"
    for person in participants.itertuples(index=False):
        low, high = SEGMENTS_PER_INTERVIEW[person.role]
        weights = CMOC_WEIGHTS.get((person.role, wave)) or CMOC_WEIGHTS[(person.role, "baseline")]
        days = int(rng.integers(0, 56)) + (int(rng.integers(274, 366)) if wave == "followup" else 0)
        collected = dt.date.fromisoformat(starts[person.site_id]) + dt.timedelta(days=days)
        source_id = f"INT-{person.participant_id}-{suffix}"
        source_rows, sources[source_id] = _collect_rows(
            writer,
            batch=name,
            source_id=source_id,
            source_type="interview",
            participant_id=person.participant_id,
            site_id=person.site_id,
            wave=wave,
            collected_on=collected.isoformat(),
            voice=person.role,
            cmoc_weights=weights,
            n_segments=int(rng.integers(low, high + 1)),
        )
        rows.extend(source_rows)
    return Batch(name, file_format, pd.DataFrame(rows), sources)


def _fieldnote_batch(writer: _SegmentWriter, sites: pd.DataFrame) -> Batch:
    """Observation fieldnotes: three weeks of working days per site, not attributed to a person."""
    rng = writer.rng
    rows: list[dict] = []
    sources: dict[str, str] = {}
    for site in sites.itertuples(index=False):
        start = dt.date.fromisoformat(site.fieldwork_start)
        for day in range(15):
            date = start + dt.timedelta(days=day + 2 * (day // 5))
            source_id = f"FN-{site.site_id}-D{day + 1:02d}"
            source_rows, sources[source_id] = _collect_rows(
                writer,
                batch="observation_fieldnotes",
                source_id=source_id,
                source_type="observation",
                participant_id="",
                site_id=site.site_id,
                wave="baseline",
                collected_on=date.isoformat(),
                voice="observation",
                cmoc_weights=CMOC_WEIGHTS[("observation", "baseline")],
                n_segments=int(rng.integers(1, 3)),
                openers=FIELDNOTE_OPENERS,
                fillers=FIELDNOTE_FILLER,
            )
            rows.extend(source_rows)
    return Batch("observation_fieldnotes", "xlsx", pd.DataFrame(rows), sources)


#: The link-worker project's memos (REFI-QDA Notes): (target, code or CMOC id, title, coder,
#: date, text). A code memo sits on that code; a selection memo on a selection the memo
#: generator draws among those that are full evidence for the CMOC; a source memo on a drawn
#: interview; the project memo on the project (its text in a file of the archive). One names a
#: clinician and her phone number, which the privacy screen must redact.
DEMO_MEMOS = [
    ("code", "micro_discretion", "Micro-discretion is judgement, not time", "coder_a",
     "2021-04-14T10:20:00Z",
     "Across the first four link worker interviews micro-discretion is not simply having longer "
     "appointments: they describe judging when to stretch a session and when to stop. Refined "
     "CMOC01 so the mechanism is the judgement, with flexible time as the context."),
    ("selection", "CMOC01", "Check consent before quoting", "coder_b", "2021-04-21T15:05:00Z",
     "The link worker names the GP, Dr Priya Shah, and reads out her mobile, 07700 900461, "
     "while describing how she can vary appointment length. Good evidence for CMOC01, but the "
     "names must not reach the report."),
    ("code", "overstepping_remit", "Overstepping is also a response to caseload", "coder_c",
     "2021-05-06T09:45:00Z",
     "Overstepping remit appears where roles are unclear (CMOC10) and, separately, where "
     "caseloads are high and there is nobody to hand on to (CMOC11). Split CMOC11 out of CMOC10 "
     "rather than treating caseload as part of an unclear role."),
    ("selection", "CMOC10", "Boundaries: refuting case?", "coder_a", "2021-05-19T14:30:00Z",
     "Here the link worker steps outside the remit but describes feeling energised, not "
     "overstretched. Keep as a possible refuting case for CMOC10 and look for others at "
     "follow-up."),
    ("code", "forging_identity", "Identity needs everyday contact", "coder_b",
     "2021-06-02T11:00:00Z",
     "Link workers based in the practice talk about being one of the team; those who visit once "
     "a week still feel bolted on. Co-location works through everyday contact, so CMOC05 keeps "
     "co-location as the context and forging an identity as the mechanism."),
    ("source", None, "Interview cut short", "coder_c", "2021-04-09T16:40:00Z",
     "The interview ended early when the link worker was called to a patient; the second half "
     "of the topic guide was not covered."),
    ("project", None, "Coding frame version 2", "coder_a", "2021-06-10T12:00:00Z",
     "Team meeting agreed coding frame version 2: Holding split from Exercising micro-"
     "discretion, and Job satisfaction added as an outcome code."),
]  # fmt: skip
MEMO_STREAM = 16  # the memo generator's own stream, after everything else


def _demo_memos(seed: int, batch: Batch, codebook: dict, cmocs: dict) -> list[Memo]:
    """The link-worker project's memos, placed with their own seeded generator so the coded
    material drawn before them stays the same."""
    rng = np.random.default_rng([seed, MEMO_STREAM])
    labels = {
        label: code["id"]
        for code in codebook["codes"]
        for label in [code["path"], *code.get("aliases", [])]
    }
    spans = batch.excerpts.assign(code_id=batch.excerpts["code"].map(labels))
    coded = spans.groupby(["source_id", "text"], sort=True)["code_id"].agg(set)
    by_id = {cmoc["id"]: cmoc for cmoc in cmocs["cmocs"]}
    memos = []
    for number, (target, ref, title, coder, created, text) in enumerate(DEMO_MEMOS, start=1):
        key, selected, target_id = f"demo-memo-{number}", None, ref
        if target == "code":
            target_id = next(c["path"] for c in codebook["codes"] if c["id"] == ref)
        elif target == "selection":
            cmoc = by_id[ref]
            fits = [
                where
                for where, codes in coded.items()
                if all(codes & set(cmoc[part]) for part in ("context", "mechanism", "outcome"))
            ]
            target_id, selected = fits[int(rng.integers(0, len(fits)))]
        elif target == "source":
            names = sorted(batch.sources)
            target_id = names[int(rng.integers(0, len(names)))]
        memo = Memo(key, title, text, coder, created, target, target_id, selected)
        memos.append(memo if target != "project" else replace(memo, in_file=True))
    return memos


def _plant_data_problems(excerpts: pd.DataFrame) -> pd.DataFrame:
    """A handful of realistic export faults, so the demo exercises quarantine and de-duplication."""
    bad = excerpts.head(5).copy()
    bad["participant_id"] = ["PAT-999", "PAT-999", bad["participant_id"].iloc[2], "", ""]
    bad.loc[bad.index[2], "code"] = "Context::Weather on the day"
    bad.loc[bad.index[3], "text"] = "   "
    bad.loc[bad.index[3], "participant_id"] = excerpts["participant_id"].iloc[3]
    bad.loc[bad.index[4], "participant_id"] = excerpts["participant_id"].iloc[4]
    bad.loc[bad.index[4], "wave"] = "wave 3"
    duplicates = excerpts.iloc[[10, 11, 12]]
    return pd.concat([excerpts, bad, duplicates], ignore_index=True)


#: A configuration coded in the demo but stated by no CMOC (context, mechanism, outcome): patients
#: facing travel barriers join VCSE groups when the link worker goes with them the first time.
#: Planted so the candidate-CMOC appendix has a known top lead (tests check it is first).
PLANTED_TRIAD = ("transport_barriers", "accompanied_first_visit", "connections_vcse")
#: Interviews (patients and VCSE staff at baseline) that get one passage coded with the triad.
PLANTED_INTERVIEWS = 14
#: The planted passages come from their own random stream (seed, this number), drawn after every
#: other demo row, so the rows before them stay byte-identical.
PLANTED_STREAM = 16


def _plant_candidate_triad(batch: Batch, codebook: dict, seed: int, scale: int) -> pd.DataFrame:
    """Append one passage coded with PLANTED_TRIAD to some patient and VCSE interviews, after
    each interview's last segment, in the interviewee's and coder's own attributes; returns the
    appended rows (a second coder of those interviews codes them too)."""
    rng = np.random.default_rng([seed, PLANTED_STREAM])
    paths = {code["id"]: code["path"] for code in codebook["codes"]}
    first_rows = batch.excerpts.drop_duplicates("source_id")
    speakers = first_rows[first_rows["participant_id"].str.match(r"(PAT|VCSE)-")]
    chosen = rng.choice(len(speakers), size=PLANTED_INTERVIEWS * scale, replace=False)
    role_of = {prefix: role for role, prefix in ID_PREFIX.items()}
    rows = []
    for source in speakers.iloc[np.sort(chosen)].to_dict("records"):
        voice = role_of[source["participant_id"].split("-")[0]]
        sentences = [PHRASES[code][voice] for code in PLANTED_TRIAD]
        text = " ".join(str(options[int(rng.integers(0, len(options)))]) for options in sentences)
        start = (
            int(batch.excerpts.loc[batch.excerpts["source_id"] == source["source_id"], "end"].max())
            + 2
        )
        batch.sources[source["source_id"]] += "\n\n" + text
        for code in PLANTED_TRIAD:
            rows.append(
                {
                    **source,
                    "code": paths[code],
                    "text": text,
                    "start": start,
                    "end": start + len(text),
                }
            )
    planted = pd.DataFrame(rows, columns=batch.excerpts.columns)
    batch.excerpts = pd.concat([batch.excerpts, planted], ignore_index=True)
    return planted


#: The double-coded sample: a second coder who codes some baseline interviews again (issue 16).
SECOND_CODER = "coder_d"
SECOND_CODER_SEED = 16
SECOND_CODED_SOURCES = 20
#: Per segment: passage missed; boundary shifted (starts a few words later); per code: missed,
#: swapped for another code of the same realist role.
SECOND_CODER_ERRORS = {"passage": 0.08, "boundary": 0.2, "missed": 0.1, "swapped": 0.1}


def _second_coder_rows(
    excerpts: pd.DataFrame, sources: dict[str, str], codebook: dict, seed: int
) -> pd.DataFrame:
    """A second coder's codings of a sample of sources, with realistic disagreement (passages
    and codes missed, codes swapped within a role, start boundaries shifted), drawn from their
    own seeded generator so every other demo row stays as it was."""
    rng = np.random.default_rng([seed, SECOND_CODER_SEED])
    paths = {code["path"]: code for code in codebook["codes"]}
    same_role: dict[str, list[str]] = {}
    for code in codebook["codes"]:
        same_role.setdefault(code["role"], []).append(code["path"])
    chosen = rng.choice(sorted(excerpts["source_id"].unique()), SECOND_CODED_SOURCES, False)
    rows: list[dict] = []
    for source_id in sorted(chosen):
        mine = excerpts[excerpts["source_id"] == source_id]
        for (start, end), segment in mine.groupby(["start", "end"], sort=True):
            if rng.random() < SECOND_CODER_ERRORS["passage"]:
                continue
            text = sources[source_id][start:end]
            if rng.random() < SECOND_CODER_ERRORS["boundary"]:
                words = [i + 1 for i, char in enumerate(text) if char == " "]
                start += words[int(rng.integers(0, min(3, len(words))))]
            codes = []
            for path in segment["code"]:
                draw = rng.random()
                role = paths.get(path, {}).get("role", "none")
                if draw < SECOND_CODER_ERRORS["missed"]:
                    continue
                swapped = draw < SECOND_CODER_ERRORS["missed"] + SECOND_CODER_ERRORS["swapped"]
                if swapped and role in ("context", "mechanism", "outcome"):
                    path = str(rng.choice(sorted(set(same_role[role]) - {path})))
                codes.append(path)
            first = segment.iloc[0].to_dict()
            for path in dict.fromkeys(codes):
                rows.append(
                    first
                    | {
                        "code": path,
                        "text": sources[source_id][start:end],
                        "start": start,
                        "end": end,
                        "coder": SECOND_CODER,
                    }
                )
    return pd.DataFrame(rows, columns=excerpts.columns)


def generate_demo(seed: int = DEFAULT_SEED, scale: int = 1) -> DemoDataset:
    """Build the whole synthetic data set in memory; deterministic for a seed and scale."""
    if scale < 1:
        raise ValueError("scale must be a whole number of at least 1")
    rng = np.random.default_rng(seed)
    codebook, cmocs = load_definitions()
    sites = make_sites(rng, scale)
    participants = make_participants(rng, sites, scale)
    writer = _SegmentWriter(rng, codebook, cmocs)
    lw = participants["role"] == "link_worker"
    followup = participants["waves"].str.contains("followup")
    baseline = _interview_batch(writer, "baseline_interviews", participants[~lw], sites, "baseline")
    coded_once = baseline.excerpts
    baseline.excerpts = _plant_data_problems(baseline.excerpts)
    batches = [
        baseline,
        _interview_batch(
            writer, "baseline_link_workers", participants[lw], sites, "baseline", "qdpx"
        ),
        _fieldnote_batch(writer, sites),
        _interview_batch(writer, "followup_interviews", participants[followup], sites, "followup"),
    ]
    planted = _plant_candidate_triad(baseline, codebook, seed, scale)
    coded_once = pd.concat([coded_once, planted], ignore_index=True)
    second = _second_coder_rows(coded_once, baseline.sources, codebook, seed)
    baseline.excerpts = pd.concat([baseline.excerpts, second], ignore_index=True)
    batches[1].memos = _demo_memos(seed, batches[1], codebook, cmocs)
    return DemoDataset(sites.drop(columns="fieldwork_start"), participants, batches)


def _deterministic_zip(path: Path) -> None:
    """Rewrite a zip with fixed member timestamps so identical content gives identical bytes."""
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    # openpyxl stamps the save time into docProps/core.xml; pin it to the creation date
    members = [
        (
            name,
            re.sub(
                rb"<dcterms:modified([^>]*)>[^<]*<",
                rb"<dcterms:modified\1>2021-01-01T00:00:00Z<",
                data,
            ),
        )
        if name == "docProps/core.xml"
        else (name, data)
        for name, data in members
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def write_batch(batch: Batch, coded_dir: Path) -> Path:
    """Write one batch in its export format (canonical CSV, XLSX, or REFI-QDA project)."""
    table = batch.excerpts[[c for c in EXCERPT_COLUMNS if c in batch.excerpts.columns]]
    path = coded_dir / f"{batch.name}.{batch.file_format}"
    if batch.file_format == "csv":
        table.to_csv(path, index=False, lineterminator="\n")
    elif batch.file_format == "xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as excel:
            excel.book.properties.created = dt.datetime(2021, 1, 1)
            excel.book.properties.modified = dt.datetime(2021, 1, 1)
            excel.book.properties.creator = "realist_report demo generator"
            table.to_excel(excel, index=False, sheet_name="Coded segments")
        _deterministic_zip(path)
    elif batch.file_format == "qdpx":
        from realist_demo.qdpx_writer import write_qdpx

        full = batch.excerpts.reindex(columns=EXCERPT_COLUMNS).assign(batch=batch.name)
        write_qdpx(full, batch.sources, path, project_name=batch.name, memos=batch.memos)
    else:
        raise ValueError(f"unknown demo batch format {batch.file_format!r}")
    return path


def write_demo(dataset: DemoDataset, out_dir: Path) -> list[Path]:
    """Write registers and batches as a data set folder; returns the files written."""
    coded = out_dir / "coded"
    coded.mkdir(parents=True, exist_ok=True)
    for stale in coded.iterdir():
        stale.unlink()
    written = [out_dir / "sites.csv", out_dir / "participants.csv"]
    dataset.sites.to_csv(written[0], index=False, lineterminator="\n")
    dataset.participants.to_csv(written[1], index=False, lineterminator="\n")
    written += [write_batch(batch, coded) for batch in dataset.batches]
    return written


def main(argv: list[str] | None = None) -> None:
    """Command line: regenerate the demo data set (python -m realist_demo.generator)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("data/demo"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=int, default=1, help="multiply sites and participants")
    parser.add_argument(
        "--without-followup", action="store_true", help="leave out the follow-up batch"
    )
    args = parser.parse_args(argv)
    dataset = generate_demo(args.seed, args.scale)
    if args.without_followup:
        dataset.batches = [b for b in dataset.batches if not b.name.startswith("followup")]
    for path in write_demo(dataset, args.out):
        print(path)


if __name__ == "__main__":
    main()
