"""The configured study design as the report's templates print it: site names, who was
interviewed at each wave, the professionals and the followed roles, in the design's words."""

from __future__ import annotations

from realist_report.core.vocabulary import Design, current_design


def joined(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return (
        items[0]
        if len(items) == 1
        else ", ".join(items[:-1]) + " and " + items[-1]
        if items
        else ""
    )


#: Nouns the report counts whose plural is not the regular one.
IRREGULAR_PLURALS = {"person": "people", "staff": "staff", "analysis": "analyses"}


def plural(noun: str, count: int, plural_form: str | None = None) -> str:
    """The noun in the number `count` asks for: 'site' (1), 'sites' (0, 2); `plural_form` for a
    design's own plural ('pharmacy staff'). The one pluralising rule of every template (the
    `plural` and `counted` filters) and of the texts the package writes."""
    if count == 1:
        return noun
    if plural_form:
        return plural_form
    last = noun.rsplit(" ", 1)[-1]
    if last in IRREGULAR_PLURALS:
        return noun[: len(noun) - len(last)] + IRREGULAR_PLURALS[last]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def counted(count: int, noun: str, plural_form: str | None = None) -> str:
    """'1 site', '0 sites', '3 role groups': a count and its noun in the right number."""
    return f"{count} {plural(noun, int(count), plural_form)}"


def capitalised(text: str) -> str:
    """First letter up, the rest as written ('pharmacists' -> 'Pharmacists', 'NHS staff' kept)."""
    return text[:1].upper() + text[1:]


def possessive(plural: str) -> str:
    """'pharmacists' -> "pharmacists'", 'staff' -> "staff's"."""
    return f"{plural}'" if plural.endswith("s") else f"{plural}'s" if plural else ""


def in_text(label: str) -> str:
    """A label as a sentence uses it: 'Pharmacist' -> 'pharmacist'; an acronym ('NHS
    staff', 'GP') kept as written."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def roles_text(counts: dict[str, int], design: Design) -> str:
    """'40 customers, 1 pharmacist and 3 managers': every role seen, design order, each count
    with its noun in the right number."""
    return joined(
        [
            counted(counts[r.id], in_text(r.label), r.plural)
            for r in design.roles
            if counts.get(r.id)
        ]
    )


def wave_rolls(counts: dict[str, dict[str, int]], design: Design) -> list[dict]:
    """One entry per wave: its id, label, total, professionals and who was interviewed."""
    return [
        {
            "id": wave.id,
            "label": wave.label,
            "title": capitalised(wave.label),
            "total": counts[wave.id]["total"],
            "professionals": counts[wave.id]["professionals"],
            "roles_text": roles_text(counts[wave.id], design) or "no one",
            "roles": {r.id: counts[wave.id][r.id] for r in design.roles},
        }
        for wave in design.waves
    ]


def design_context(counts: dict[str, dict[str, int]]) -> dict:
    """What templates need to speak of the configured design instead of one study's."""
    design = current_design()
    rolls = wave_rolls(counts, design)
    followed = [design.role_plurals[r] for r in design.followed_roles]
    return {
        "site_singular": design.site_singular,
        "site_title": capitalised(design.site_singular),
        "sites_title": capitalised(design.site_plural),
        "site_plural": design.site_plural,
        "roles": [r._asdict() for r in design.roles],
        "lay_roles": [r._asdict() for r in design.roles if not r.staff],
        "has_staff": bool(design.staff_roles),
        "waves": rolls,
        "first": rolls[0],
        "later": rolls[1:],
        "followed": joined(followed),
        "followed_possessive": possessive(joined(followed)),
        "followed_possessive_title": capitalised(possessive(joined(followed))),
        "followed_title": capitalised(joined(followed)),
        "source_types": [t._asdict() for t in design.source_types],
    }
