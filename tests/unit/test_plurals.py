"""One pluralising rule (design_text.plural / counted) for every template and generated text:
'1 role group', never '1 role groups'; '0 sites'; a design's own plurals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import DEMO_CONFIG
from realist_report.analysis import evidence
from realist_report.core.vocabulary import current_design, use_design
from realist_report.report.context import TEMPLATE_DIR, template_environment
from realist_report.report.design_text import counted, design_context, in_text, plural


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "site", "0 sites"),
        (1, "site", "1 site"),
        (2, "site", "2 sites"),
        (1, "role group", "1 role group"),
        (2, "role group", "2 role groups"),
        (1, "person", "1 person"),
        (5, "person", "5 people"),
        (2, "export batch", "2 export batches"),
        (2, "dated entry", "2 dated entries"),
        (2, "day", "2 days"),
        (0, "participant", "0 participants"),
    ],
)
def test_counted_puts_the_noun_in_the_number_the_count_asks_for(count, noun, expected) -> None:
    assert counted(count, noun) == expected


def test_a_designs_own_plural_and_a_verb_follow_the_count() -> None:
    assert in_text("Link worker") == "link worker" and in_text("VCSE staff") == "VCSE staff"
    assert counted(1, "pharmacy", "pharmacies") == "1 pharmacy"
    assert counted(2, "pharmacy", "pharmacies") == "2 pharmacies"
    assert counted(3, "staff member", "pharmacy staff") == "3 pharmacy staff"
    assert [plural("is", n, "are") for n in (0, 1, 2)] == ["are", "is", "are"]


def test_templates_print_counts_through_the_one_helper() -> None:
    environment = template_environment(str(TEMPLATE_DIR))
    template = environment.from_string(
        "{{ n | counted('role group') }}; {{ n | counted(s, p) }}; {{ 'is' | plural(n, 'are') }}"
    )
    printed = [template.render(n=n, s="pharmacy", p="pharmacies") for n in (0, 1, 2)]
    assert printed == [
        "0 role groups; 0 pharmacies; are",
        "1 role group; 1 pharmacy; is",
        "2 role groups; 2 pharmacies; are",
    ]


def test_no_template_pluralises_on_its_own() -> None:
    """Every count's noun goes through `counted` or `plural`: no hand-made 's' endings or
    one-or-many choices left in the templates to get wrong."""
    hand_made = re.compile(r"""['"]s['"] if|==\s*1 else|!=\s*1 %\}""")
    found = [
        f"{path.name}: {match.group(0)}"
        for path in Path(TEMPLATE_DIR).rglob("*.j2")
        for match in hand_made.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_one_role_one_wave_design_reads_in_the_singular() -> None:
    """A one-role, one-wave study: the strength rule and the design's texts say '1 role group',
    '1 site', never '1 role groups' or '1 sites'."""
    study = {
        **DEMO_CONFIG["design"],
        "site_label": {"singular": "pharmacy", "plural": "pharmacies"},
        "roles": [{"id": "customer", "label": "Customer", "plural": "customers", "staff": False}],
        "waves": [{"id": "r1", "label": "round 1", "aliases": []}],
        "followed_roles": [],
    }
    try:
        use_design({"design": study})
        rule = [{"rating": "some", "min_participants": 1, "min_sites": 1, "min_roles": 1}]
        _, text = evidence.rate_strength(1, 1, 1, rule)
        assert text == "some: 1 participant \u2265 1, 1 site \u2265 1, 1 role group \u2265 1"
        design = design_context({"r1": {"customer": 1, "professionals": 0, "total": 1}})
        assert design["first"]["roles_text"] == "1 customer"
        assert counted(1, current_design().site_singular, current_design().site_plural) == (
            "1 pharmacy"
        )
    finally:
        use_design(DEMO_CONFIG)
