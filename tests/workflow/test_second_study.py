"""A second, differently shaped study built with only --configfile (issue 24): pharmacies, three
roles, three waves, focus groups, non-numeric site ids, no observation, its own site and subgroup
columns, double coding and no narrative yet. Counts are checked against the generator's plan."""

from __future__ import annotations

import csv
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import copy_workflow, run_snakemake

SITES = {"NE-A": ("independent", "high street"), "LDN-B": ("chain", "supermarket")}
ROLES = [
    ("customer", "Customer", "customers", False),
    ("pharmacist", "Pharmacist", "pharmacists", True),
]
WAVES = ["r1", "r2", "r3"]
#: The plan: (participant, site, role, waves, age group) and which CMOC each speaks to per wave.
PEOPLE = [
    ("C1", "NE-A", "customer", "r1;r2;r3", "under 40"),
    ("C2", "NE-A", "customer", "r1;r3", "40 and over"),
    ("C3", "LDN-B", "customer", "r1;r2", "under 40"),
    ("C4", "LDN-B", "customer", "r2;r3", "40 and over"),
    ("F1", "NE-A", "pharmacist", "r1;r2;r3", ""),
    ("F2", "LDN-B", "pharmacist", "r1;r3", ""),
]
CODES = {
    "C": "Context::Quiet consultation room",
    "M": "Mechanism::Feels safe to ask",
    "O": "Outcome::Asks about medicines",
}
DEMO_WORDS = re.compile(
    # "Patient and public involvement" is the NIHR part's name, not a role
    r"link[ _-]?workers?|\bvcse\b|social prescrib|primary[ _-]care"
    r"|\bpatients?\b(?! and public involvement)",
    re.I,
)


def evidence_plan() -> list[tuple[str, str, str]]:
    """(participant, site, wave) of every focus-group passage coded C, M and O together."""
    return [
        (p, s, w)
        for p, s, _, waves, _ in PEOPLE
        for w in waves.split(";")
        if (p, w) != ("C2", "r3")
    ]


def write_study(root: Path) -> Path:
    data = root / "data"
    (data / "coded").mkdir(parents=True)
    with open(data / "sites.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [["site_id", "ownership", "location"], *[[s, *v] for s, v in SITES.items()]]
        )
    with open(data / "participants.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [["participant_id", "site_id", "role", "waves", "age_group"], *PEOPLE]
        )
    rows = []
    for n, (person, site, wave) in enumerate(evidence_plan(), start=1):
        text = f"In round {wave[-1]} the quiet room meant I could ask about my tablets without the queue hearing, said person {n}."
        for coder in ("coder_a", "coder_b") if n % 3 == 0 else ("coder_a",):
            for code in CODES.values():
                rows.append(
                    [
                        f"FG-{site}-{wave}",
                        "focus group",
                        person,
                        site,
                        wave,
                        code,
                        text,
                        1000 * n,
                        1000 * n + len(text),
                        coder,
                    ]
                )
    with open(data / "coded" / "focus_groups.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [
                [
                    "source_id",
                    "source_type",
                    "participant_id",
                    "site_id",
                    "wave",
                    "code",
                    "text",
                    "start",
                    "end",
                    "coder",
                ],
                *rows,
            ]
        )
    codebook = {
        "areas": [{"id": "privacy", "title": "Privacy at the counter"}],
        "codes": [
            {
                "id": f"code_{k.lower()}",
                "path": path,
                "role": {"C": "context", "M": "mechanism", "O": "outcome"}[k],
                "area": "privacy",
            }
            for k, path in CODES.items()
        ],
    }
    cmocs = {
        "cmocs": [
            {
                "id": "CMOC01",
                "area": "privacy",
                "title": "A private room invites questions",
                "context": ["code_c"],
                "mechanism": ["code_m"],
                "outcome": ["code_o"],
                "narrative": {
                    "if": "a quiet room is free",
                    "then": "customers ask about medicines",
                    "because": "they feel safe to ask",
                },
            }
        ]
    }
    (root / "codebook.yaml").write_text(yaml.safe_dump(codebook, sort_keys=False), encoding="utf-8")
    (root / "cmocs.yaml").write_text(yaml.safe_dump(cmocs, sort_keys=False), encoding="utf-8")
    (root / "narrative" / "sections").mkdir(parents=True)
    config = {
        "dataset": str(data),
        "codebook": str(root / "codebook.yaml"),
        "cmocs": str(root / "cmocs.yaml"),
        "narrative": str(root / "narrative"),
        "study": {
            "title": "Pharmacy consultation rooms",
            "subtitle": "A realist evaluation",
            "authors": ["Test team"],
            "keywords": ["pharmacy"],
            "language": "en-GB",
        },
        "design": {
            "site_label": {"singular": "pharmacy", "plural": "pharmacies"},
            "roles": [
                {"id": i, "label": lab, "plural": pl, "staff": st} for i, lab, pl, st in ROLES
            ],
            "waves": [
                {"id": w, "label": f"round {w[-1]}", "aliases": [f"wave {w[-1]}"]} for w in WAVES
            ],
            "source_types": [
                {"id": "focus_group", "label": "focus group", "needs_participant": True}
            ],
            "followed_roles": ["pharmacist"],
        },
        "for_whom": {"attributes": ["age_group"], "roles": ["customer"]},
        "privacy": {"min_cell_size": 1},
    }
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.e2e
def test_a_second_study_builds_from_its_config_file_alone(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "workflow")
    config = write_study(tmp_path / "pharmacy")
    # targets first: --configfile takes every argument after it
    targets = ["results/cmoc_summary.csv", "reports/evaluation_report.html"]
    run_snakemake(workdir, *targets, "--configfile", str(config))
    summary = pd.read_csv(workdir / "results" / "cmoc_summary.csv").set_index("cmoc_id")
    plan = evidence_plan()
    assert summary.at["CMOC01", "excerpts"] == len(plan)  # double coding counts once
    assert summary.at["CMOC01", "participants"] == len({p for p, _, _ in plan})
    assert summary.at["CMOC01", "sites"] == len(SITES) and summary.at["CMOC01", "roles"] == len(
        ROLES
    )
    for wave in WAVES:
        assert summary.at["CMOC01", f"{wave}_excerpts"] == sum(w == wave for _, _, w in plan)
    changes = pd.read_csv(workdir / "results" / "cmoc_wave_change.csv")
    own = changes[changes["cmoc_id"] == "CMOC01"]
    pairs = {(r.from_wave, r.to_wave): (r.consecutive, r.first_to_last) for r in own.itertuples()}
    assert pairs == {("r1", "r2"): (True, False), ("r2", "r3"): (True, False),
                     ("r1", "r3"): (False, True)}  # fmt: skip
    for row in own.itertuples():  # both roles were interviewed at every wave
        assert row.from_participants == len({p for p, _, w in plan if w == row.from_wave})
        assert row.to_participants == len({p for p, _, w in plan if w == row.to_wave})
    html = (workdir / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", html, flags=re.S))
    text = unescape(text)  # the template escapes quotes ('strong' is &#39;strong&#39;)
    assert DEMO_WORDS.findall(text) == []
    assert "2 pharmacies" in text and "Not yet written" in text and "Ownership" in text
    assert "Observation hours" not in text
    # every count in the study's own nouns and number: no '1 role groups', '1 pharmacies'
    one_many = r"\b1 (role groups|pharmacies|participants|customers|pharmacists|excerpts|sites)\b"
    assert re.findall(one_many, text) == []
    # three role groups for 'strong', two roles declared: said in Methods
    assert "rating 'strong' needs 3 role groups; the design has 2 roles" in text
