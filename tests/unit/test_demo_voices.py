"""The demo's quotes speak in their speaker's own voice, and refuting passages retell no
supporting one (the report prints no long sentence twice, so shared wording hides refuting
quotes)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from realist_demo.generator import SECOND_CODER, generate_demo
from realist_report.analysis.quotes import sentences

#: Words only a professional uses of the people they see.
PROFESSIONAL = r"(?i)\bwe refer\b|\bmy caseload\b|\bmy patients\b|\bour patients\b|\bher patients\b"
#: Words only a patient uses of their own life and of the link worker's help.
PATIENT = (
    r"(?i)\bsleeping better\b|\bmy (mood|flat|benefits|back|hip|mum|husband|son)\b"
    r"|\b(walked|came with|met) me\b|\bI ring her\b"
)
#: Words of someone in the practice team.
PRACTICE = r"(?i)\bour (practice|appointment system|partners|senior GP)\b"
#: Words of community-group staff.
COMMUNITY = r"(?i)\bour (members|group|groups|lunch club|volunteers|hall)\b"
#: Someone speaking of the link worker in the third person.
ABOUT_THE_LINK_WORKER = r"(?i)\bthe link worker\b|\bher (room|list|caseload|job)\b"
#: The first person, which a fieldnote (written in the third person) never uses.
FIRST_PERSON = r"\b(I|I'm|I've|I'd|[Mm]e|[Mm]y|[Ww]e|[Oo]ur|[Uu]s)\b|Interviewer:"

#: Per role (or the observer), the markers (case ignored but in the first person's "I") of other voices its passages must not contain.
FOREIGN_MARKERS = {
    "patient": [PROFESSIONAL, PRACTICE, COMMUNITY],
    "primary_care_staff": [PATIENT, COMMUNITY, r"(?i)\bmy caseload\b"],
    "vcse": [PATIENT, PRACTICE, r"(?i)\bmy caseload\b|\bmy patients\b|\bour patients\b"],
    "link_worker": [PATIENT, PRACTICE, COMMUNITY, ABOUT_THE_LINK_WORKER],
    "other_link_worker": [PATIENT, PRACTICE, COMMUNITY, ABOUT_THE_LINK_WORKER],
    "observation": [FIRST_PERSON],
}


def foreign_voice(role: str, text: str) -> str | None:
    """The first marker of another voice in `text`, or None."""
    for pattern in FOREIGN_MARKERS[role]:
        found = re.search(pattern, text)
        if found:
            return found.group(0)
    return None


@pytest.fixture(scope="module")
def passages() -> pd.DataFrame:
    """Every passage the demo's first coders coded (a second coder's are cut from them), once,
    with its speaker's role (observation for fieldnotes) and whether it was coded as refuting."""
    demo = generate_demo()
    rows = pd.concat([batch.excerpts for batch in demo.batches], ignore_index=True)
    roles = demo.participants.set_index("participant_id")["role"]
    rows["role"] = rows["participant_id"].map(roles)
    rows.loc[rows["source_type"] == "observation", "role"] = "observation"
    rows = rows[rows["text"].str.strip().ne("") & rows["role"].notna()]
    rows = rows[rows["coder"] != SECOND_CODER]
    refuting = rows["code"].str.contains("refut", case=False)
    refuted = set(rows.loc[refuting, "text"])
    texts = rows.drop_duplicates(["role", "text"])[["role", "text"]]
    return texts.assign(refutes=texts["text"].isin(refuted))


def test_the_marker_check_catches_the_editors_examples():
    assert foreign_voice("patient", "A lot of the people we refer have problems.") == "we refer"
    assert foreign_voice("vcse", "I'm sleeping better and I get out most days.")
    assert foreign_voice("observation", "Observed in clinic: I book an hour.") == "I"
    assert foreign_voice("link_worker", "Her room is down the corridor.") == "Her room"
    assert foreign_voice("patient", "She walked me to the group the first time.") is None


@pytest.mark.parametrize("role", sorted(FOREIGN_MARKERS))
def test_every_passage_speaks_in_its_speakers_voice(passages, role):
    own = passages[passages["role"] == role]
    assert len(own) > 20, f"too few {role} passages to check"
    wrong = {text: foreign_voice(role, text) for text in own["text"]}
    wrong = {text: marker for text, marker in wrong.items() if marker}
    assert not wrong, (
        f"{role}: {len(wrong)} passages in another voice, e.g. {next(iter(wrong.items()))}"
    )


def test_refuting_passages_share_no_long_sentence_with_supporting_ones(passages):
    supporting = {s for text in passages.loc[~passages["refutes"], "text"] for s in sentences(text)}
    refuting = passages.loc[passages["refutes"], "text"]
    assert len(refuting) >= 12
    shared = [s for text in refuting for s in sentences(text) if s in supporting]
    assert not shared, f"{len(shared)} refuting sentences also support, e.g. {shared[0]!r}"
