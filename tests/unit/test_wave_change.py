"""Change over time with three waves: every consecutive pair and the first against the last,
with the design's wave labels, checked against the plan the test writes (not the code's output).
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import DEMO_CONFIG
from realist_report.analysis import evidence
from realist_report.core.definitions import Definitions
from realist_report.core.vocabulary import use_design
from realist_report.report import context as report
from realist_report.report import figures, narrative

THRESHOLDS = {"strengthened_ratio": 1.5, "weakened_ratio": 0.67}
DESIGN = {
    "design": {
        "site_label": {"singular": "ward", "plural": "wards"},
        "roles": [
            {"id": "resident", "label": "Resident", "plural": "residents"},
            {"id": "nurse", "label": "Nurse", "plural": "nurses", "staff": True},
            {"id": "manager", "label": "Manager", "plural": "managers", "staff": True},
        ],
        "waves": [
            {"id": "w1", "label": "spring"},
            {"id": "w2", "label": "summer"},
            {"id": "w3", "label": "winter"},
        ],
        "source_types": [{"id": "interview", "label": "interview"}],
        "followed_roles": ["nurse"],
    }
}
#: (participant, role, waves interviewed); managers only at spring and summer.
PEOPLE = [
    ("R1", "resident", "w1;w2;w3"),
    ("R2", "resident", "w1;w2;w3"),
    ("R3", "resident", "w1;w3"),
    ("R4", "resident", "w2;w3"),
    ("N1", "nurse", "w1;w2;w3"),
    ("N2", "nurse", "w1;w2;w3"),
    ("M1", "manager", "w1;w2"),
]
#: Who gave supporting evidence, per CMOC and wave; one refuting unit from N2 at winter.
SUPPORT = {
    "C1": {"w1": {"R1", "N1", "M1"}, "w2": {"R1", "R2", "R4", "N1", "N2", "M1"}, "w3": {"R3"}},
    "C2": {"w1": set(), "w2": {"R2"}, "w3": {"R1", "R2", "N2"}},
}
REFUTING = [("C1", "N2", "w3")]
WAVES = ["w1", "w2", "w3"]
PAIRS = [("w1", "w2"), ("w2", "w3"), ("w1", "w3")]


@pytest.fixture
def three_waves():
    yield use_design(DESIGN)
    use_design(DEMO_CONFIG)


def _links() -> pd.DataFrame:
    role = {p: r for p, r, _ in PEOPLE}
    rows = [
        (cmoc, person, wave, "supports")
        for cmoc, waves in SUPPORT.items()
        for wave, people in waves.items()
        for person in sorted(people)
    ] + [(cmoc, person, wave, "refutes") for cmoc, person, wave in REFUTING]
    return pd.DataFrame(
        [
            {
                "cmoc_id": cmoc, "unit_id": f"u{n}", "match": "full", "stance": stance,
                "participant_id": person, "role": role[person], "wave": wave,
                "site_id": "A", "source_type": "interview", "excerpt_ids": f"e{n}",
            }
            for n, (cmoc, person, wave, stance) in enumerate(rows, start=1)
        ]
    )  # fmt: skip


def _definitions() -> Definitions:
    empty = pd.DataFrame()
    cmocs = pd.DataFrame({"cmoc_id": ["C1", "C2"], "area": ["a", "a"], "title": ["one", "two"]})
    return Definitions(empty, empty, cmocs, empty, {}, {})


def _register() -> pd.DataFrame:
    return pd.DataFrame(PEOPLE, columns=["participant_id", "role", "waves"])


def _planned(pair: tuple[str, str], cmoc: str) -> dict:
    """What the plan says for one pair: roles with people at both waves, pools and supporters."""
    waves_of = {p: set(w.split(";")) for p, _, w in PEOPLE}
    role = {p: r for p, r, _ in PEOPLE}
    roles = sorted(
        r
        for r in set(role.values())
        if set(pair) <= set().union(*(waves_of[p] for p in role if role[p] == r))
    )
    pool = {x: sum(role[p] in roles and x in waves_of[p] for p in role) for x in pair}
    supporters = {x: {p for p in SUPPORT[cmoc][x] if role[p] in roles} for x in pair}
    nurses = {x: {p for p in SUPPORT[cmoc][x] if role[p] == "nurse"} for x in pair}
    return {"roles": roles, "pool": pool, "people": supporters, "nurses": nurses}


def test_three_waves_compare_each_consecutive_pair_and_first_to_last(three_waves) -> None:
    table = evidence.wave_change(_links(), _register(), _definitions(), THRESHOLDS)
    assert len(table) == 2 * len(PAIRS)  # two CMOCs, three comparisons each
    assert table["cmoc_id"].tolist() == ["C1"] * 3 + ["C2"] * 3
    for row in table.itertuples(index=False):
        pair = (row.from_wave, row.to_wave)
        plan = _planned(pair, row.cmoc_id)
        assert pair in PAIRS
        assert row.consecutive == (WAVES.index(pair[1]) == WAVES.index(pair[0]) + 1)
        assert row.first_to_last == (pair == ("w1", "w3"))
        assert row.compared_roles.split(";") == plan["roles"]
        assert (row.from_pool, row.to_pool) == (plan["pool"][pair[0]], plan["pool"][pair[1]])
        assert row.from_participants == len(plan["people"][pair[0]])
        assert row.to_participants == len(plan["people"][pair[1]])
        before, after = plan["nurses"][pair[0]], plan["nurses"][pair[1]]
        assert (row.lw_continued, row.lw_dropped, row.lw_new) == (
            len(before & after),
            len(before - after),
            len(after - before),
        )
    # managers were not interviewed at winter: summer to winter compares residents and nurses
    by = table.set_index(["cmoc_id", "from_wave", "to_wave"])
    assert by.loc[("C1", "w1", "w2"), "compared_roles"] == "manager;nurse;resident"
    assert by.loc[("C1", "w2", "w3"), "compared_roles"] == "nurse;resident"
    # C1 spring 3/6 -> summer 6/6: ratio 2.0, strengthened; summer 5/5 -> winter 1/6: weakened
    assert by.loc[("C1", "w1", "w2"), "change"] == "strengthened"
    assert by.loc[("C1", "w2", "w3"), "change"] == "weakened"
    assert by.loc[("C2", "w1", "w2"), "change"] == "new"
    assert by.loc[("C1", "w2", "w3"), "lw_to_refuting"] == 1
    # the rule is written with the design's labels
    assert by.loc[("C1", "w2", "w3"), "change_rule"].startswith(
        "weakened: summer 5/5 (100.0%), winter 1/6"
    )
    assert by.loc[("C2", "w1", "w3"), "change_rule"].startswith(
        "new: spring 0/5 (0.0%), winter 3/6"
    )


def test_three_waves_reach_the_report_placeholders_and_figure(three_waves) -> None:
    table = evidence.wave_change(_links(), _register(), _definitions(), THRESHOLDS)
    view = report.change_view(table, THRESHOLDS)
    assert (view["from_label"], view["to_label"]) == ("spring", "winter")  # first to last
    assert [(s["from_label"], s["to_label"]) for s in view["steps"]] == [
        ("spring", "summer"),
        ("summer", "winter"),
    ]
    assert [r["cmoc_id"] for r in view["rows"]] == ["C1", "C2"]
    cells = {r["cmoc_id"]: [c["change"] for c in r["cells"]] for r in view["step_rows"]}
    assert cells == {"C1": ["strengthened", "weakened"], "C2": ["new", "strengthened"]}
    assert view["steps"][1]["compared_roles"] == ["nurses", "residents"]
    values = report.cmoc_changes(table)
    assert values["C1"] == {
        "change_w1_w2": "strengthened",
        "change_w2_w3": "weakened",
        "change": view["rows"][0]["change"],
    }
    names = dict(narrative.placeholder_list(["C1"], ["strong"]))
    assert names["C1.change_w1_w2"] == "change from spring to summer"
    assert names["C1.change_w2_w3"] == "change from summer to winter"
    assert "C1.change_w1_w3" not in names  # first to last is C1.change
    caption, _ = figures.figure_text("wave_change")
    assert caption.startswith("Each wave against the next (spring to summer, summer to winter)")
    summary = pd.DataFrame({"cmoc_id": ["C1", "C2"], "area": ["a", "a"]})
    plot = figures.plot_wave_change(
        {"wave_change": table, "cmoc_summary": summary}, figures.p9.theme()
    )
    assert plot.facet is not None and sorted(plot.data["panel"].unique()) == [
        "Spring to summer",
        "Spring to winter",
        "Summer to winter",
    ]


def test_one_wave_compares_nothing() -> None:
    one = {"design": {**DESIGN["design"], "waves": DESIGN["design"]["waves"][:1]}}
    use_design(one)
    try:
        table = evidence.wave_change(_links(), _register(), _definitions(), THRESHOLDS)
        view = report.change_view(table, THRESHOLDS)
    finally:
        use_design(DEMO_CONFIG)
    assert table.empty and view["rows"] == [] and view["steps"] == []
