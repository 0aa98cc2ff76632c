"""Sentence banks for the synthetic demo data: plausible interview and fieldnote wording per code.

`other` sentences are spoken about the link worker (by patients, practice or VCSE staff);
`lw` sentences are link workers speaking about their own work.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, list[str]]] = {
    "flexible_appointments": {
        "other": [
            "She never once looked at the clock; we had as long as we needed.",
            "They aren't tied to ten-minute slots like the rest of us, and some first visits run to an hour.",
            "I could see her every week at the start, then once a month when things settled down.",
        ],
        "lw": [
            "I book an hour for a first appointment, and longer if someone clearly needs it.",
            "Nobody tells me how often to see people, so I judge it case by case.",
        ],
    },
    "vcse_networks": {
        "other": [
            "She knows every group in the town, from the walking club to the food bank.",
            "The link worker sits on the voluntary sector forum, so they hear about new groups before we do.",
            "There is a good web of community groups round here and she is plugged into all of it.",
        ],
        "lw": [
            "I spent my first months visiting every community group I could find.",
            "I've known the people at the men's shed and the carers' centre for years.",
        ],
    },
    "supportive_practice": {
        "other": [
            "One of the partners really championed the role from the start.",
            "The practice manager made sure she was invited to the clinical meetings.",
            "Our senior GP kept telling everyone to send people her way.",
        ],
        "lw": [
            "Having a GP who backs me makes all the difference when I raise something.",
            "The practice manager fought to get me a proper room.",
        ],
    },
    "co_located": {
        "other": [
            "Her room is just down the corridor from reception, so you bump into her all the time.",
            "Being in the building means we can grab her between patients.",
            "She works from the surgery three days a week now.",
        ],
        "lw": [
            "Being in the building, I have lunch with the nurses and catch the GPs in the corridor.",
            "Sitting next to the admin team means I hear about people before they are referred.",
        ],
    },
    "complex_needs": {
        "other": [
            "I had the debts, the housing, my mum's illness, all at once, and nobody was joining it up.",
            "A lot of the people we refer have three or four problems tangled together.",
            "He came in about his back, but really it was loneliness, money and a flat with damp.",
        ],
        "lw": [
            "Most of my caseload have more than one thing going on: housing, benefits, isolation.",
            "People arrive with everything piled up and you have to untangle it slowly.",
        ],
    },
    "role_unclear": {
        "other": [
            "To be honest, I'm not sure anyone ever wrote down what the role is for.",
            "We didn't really know what to refer to her, so we referred everything.",
            "The job description said one thing and the practice expected something else.",
        ],
        "lw": [
            "My job description was two paragraphs long and nobody could tell me where it ended.",
            "There were no real boundaries set when I started, so I made them up as I went.",
        ],
    },
    "high_caseload": {
        "other": [
            "Her list has grown and grown since the practice started sending everyone.",
            "There is a waiting list now, which there never used to be.",
            "She carries far more patients than the network ever planned for.",
        ],
        "lw": [
            "I have over ninety people open at the moment and new referrals every day.",
            "My caseload doubled in a year and nothing was taken off my plate.",
        ],
    },
    "working_alone": {
        "other": [
            "She is the only one doing this job across the whole network.",
            "There isn't anyone else in the practice who does what she does.",
            "She doesn't have a team around her the way the nurses do.",
        ],
        "lw": [
            "I'm on my own here; there's no other link worker to talk things through with.",
            "Supervision is a phone call once a month if I'm lucky.",
        ],
    },
    "micro_discretion": {
        "other": [
            "She walked me to the group the first time, which I know isn't really part of her job.",
            "The link worker bent the rules a bit and phoned the housing office for him there and then.",
            "She decided to do a home visit because she could tell he would never come in.",
        ],
        "lw": [
            "Sometimes I go with someone to their first session, even though the guidance says signpost.",
            "I use my judgement: if a phone call now saves a crisis later, I make the call.",
        ],
    },
    "feeling_listened_to": {
        "other": [
            "For the first time somebody actually listened to the whole story.",
            "She let me talk and didn't try to fix everything in the first five minutes.",
            "Patients tell us they finally felt heard.",
        ],
        "lw": [
            "I let people talk; the first appointment is mostly listening.",
            "I ask what matters to them, not what is the matter with them.",
        ],
    },
    "demonstrating_effect": {
        "other": [
            "When I saw how much calmer Mrs B was after a few sessions, I was convinced.",
            "She brought case stories to the practice meeting, and that won people over.",
            "The drop in repeat appointments for a couple of our regulars spoke for itself.",
        ],
        "lw": [
            "I keep short case studies so the GPs can see what happened to the people they sent.",
            "Once a GP saw one of their frequent attenders settle, the referrals started coming.",
        ],
    },
    "forging_identity": {
        "other": [
            "She has made the role her own; people know what she's about now.",
            "At first we didn't know what to call her, now she is just part of the team.",
            "She presented at the team away day and explained what social prescribing is.",
        ],
        "lw": [
            "I had to work out who I was in the practice: not a nurse, not a receptionist, something new.",
            "I introduced myself at every meeting until people stopped asking who I was.",
        ],
    },
    "staff_trust": {
        "other": [
            "I trust her judgement; if she says someone needs a GP, I see them.",
            "The doctors know she'll handle it properly, so they hand things over.",
            "We trust her to make the call on who needs what.",
        ],
        "lw": [
            "The GPs trust me now to decide whether something is medical or not.",
            "Once the nurses trusted me, they stopped double-checking my referrals.",
        ],
    },
    "holding": {
        "other": [
            "She kept in touch, even just a text, through the worst of it.",
            "She was there every fortnight until I felt ready to go to the group on my own.",
            "She holds people for a while before they are ready to move on.",
        ],
        "lw": [
            "Some people need me to hold them for months before they can take the next step.",
            "I keep a few people on longer than the model says because letting go too early undoes everything.",
        ],
    },
    "overstepping_remit": {
        "other": [
            "She ended up filling in benefit forms and chasing the council, which isn't really her job.",
            "We started sending her things the mental health team should have picked up.",
            "She was doing counselling, really, without the training or supervision for it.",
        ],
        "lw": [
            "I found myself doing a social worker's job because nobody else would.",
            "I've sat with people in crisis when I knew it was beyond my remit.",
        ],
    },
    "role_uncertainty": {
        "other": [
            "Nobody could tell her what success in the job was meant to look like.",
            "Every manager she has had described the job differently.",
            "There's no career path for them, and she's started to wonder what the role is for.",
        ],
        "lw": [
            "I honestly don't know what I'm supposed to be measured on.",
            "I keep asking myself whether this job will even exist next year.",
        ],
    },
    "connections_patients": {
        "other": [
            "I'd trust her with anything now; she's the one I ring.",
            "Patients ask for her by name at reception.",
            "He actually turns up to her appointments, which he never did for us.",
        ],
        "lw": [
            "People come back and tell me how they're getting on, which says a lot.",
            "Once that trust is there, people open up about the things that really matter.",
        ],
    },
    "connections_vcse": {
        "other": [
            "We get more referrals from her than from any other route, and they're the right people.",
            "I go to the knitting group on Tuesdays now and I've made two friends there.",
            "The lunch club has taken on four of her patients this year.",
        ],
        "lw": [
            "The groups ring me now when they have space, which makes onward referral easy.",
            "I've helped two groups start up because there was nothing for young carers.",
        ],
    },
    "buy_in": {
        "other": [
            "Now the whole practice sees the point of the role.",
            "The sceptics in the practice have come round.",
            "Even the partners who doubted it are referring now.",
        ],
        "lw": [
            "The practice sees me as part of the team now, not an add-on.",
            "It took a year, but the GPs are behind the role now.",
        ],
    },
    "belonging": {
        "other": [
            "She's one of us now; it would feel strange without her.",
            "She has a place at the table in the practice meeting.",
            "She's on the staff photo board with everyone else.",
        ],
        "lw": [
            "I feel like I belong in the practice rather than being bolted on.",
            "I'm part of the furniture now, in a good way.",
        ],
    },
    "primary_care_capacity": {
        "other": [
            "It has taken pressure off the GPs; those non-medical appointments go to her now.",
            "My list has fewer of the appointments I could never fix with a prescription.",
            "It frees up appointments for people who need a doctor.",
        ],
        "lw": [
            "The GPs tell me their frequent attenders come in less often now.",
            "I take the conversations a ten-minute appointment can't hold.",
        ],
    },
    "person_centred_care": {
        "other": [
            "Everything we did was about what I wanted, not a leaflet handed over.",
            "The plan was built around what mattered to her, not what the system offered.",
            "She worked out what I wanted to change before suggesting anything.",
        ],
        "lw": [
            "We set goals together, in their words, and we change them as we go.",
            "I tailor what I offer to the person in front of me rather than following a script.",
        ],
    },
    "wellbeing": {
        "other": [
            "I'm sleeping better and I get out of the house most days now.",
            "My mood has lifted; I feel more like myself.",
            "Her patients seem brighter, more hopeful, when they come back to see us.",
        ],
        "lw": [
            "You can see the change in people: they stand taller, they laugh again.",
            "People tell me they feel less alone, and their scores go up too.",
        ],
    },
    "dependency": {
        "other": [
            "I don't know what I'd do if she left; I ring her about everything.",
            "Some patients won't see anyone else now, only her.",
            "A few of her people seem to lean on her rather than getting stronger.",
        ],
        "lw": [
            "A few people ring me every day, and I worry I've made them depend on me.",
            "Ending with some patients is hard because I'm the only one they have.",
        ],
    },
    "job_satisfaction": {
        "other": [
            "You can see she loves the job when she gets it right for someone.",
            "The freedom in the role is what keeps her going.",
            "She gets a real buzz when a plan comes together.",
        ],
        "lw": [
            "Being able to do what I think is right for someone is why I love this job.",
            "On the good days, this is the most satisfying job I've ever had.",
        ],
    },
    "overstretched": {
        "other": [
            "She looks exhausted; she's taking work home every night.",
            "She is spread far too thin across the sites.",
            "She told me she had cried in the car park after a bad week.",
        ],
        "lw": [
            "I'm stretched so thin I can't give people the time I want to.",
            "Some weeks I feel completely overwhelmed by it all.",
        ],
    },
    "intention_to_leave": {
        "other": [
            "I'd be surprised if she's still here next year.",
            "We've lost two link workers in the network already this year.",
            "She's been looking at other jobs, and I don't blame her.",
        ],
        "lw": [
            "I've started applying for other jobs, to be honest.",
            "If nothing changes with the role, I won't be here in a year.",
        ],
    },
    # ---- codes of the planted candidate CMOC (demo.PLANTED_TRIAD): coded, not yet configured
    "transport_barriers": {
        "other": [
            "There's one bus an hour out of the estate, and none at all on a Sunday.",
            "I don't drive any more, and a taxi into town costs more than I can spend.",
            "A lot of our older members said they simply couldn't get to us on their own.",
            "Getting there was the problem: two buses and a long walk at the end.",
        ],
        "lw": [
            "Half my patients live where the buses stopped running years ago.",
            "Transport is the first thing that stops people getting to a group.",
        ],
    },
    "accompanied_first_visit": {
        "other": [
            "She came with me the first time and sat beside me until I knew a few faces.",
            "The link worker met him at the bus stop and walked in with him that first week.",
            "Having someone go along the first time took the fear out of walking through the door.",
            "She drove me there once, introduced me, and after that I went on my own.",
        ],
        "lw": [
            "I go along to the first session with them, then step back.",
            "If I walk in with someone the first time, they usually keep going.",
        ],
    },
    "refutes": {
        "other": [
            "That said, it didn't work like that for me at all.",
            "But in our practice it was the opposite.",
        ],
        "lw": [
            "Mind you, that doesn't hold for everyone I see.",
            "But honestly, in my case it went the other way.",
        ],
    },
    "refines": {
        "other": [
            "It only works, though, if the patient is ready for it.",
            "Though it depends a lot on which GP you get.",
        ],
        "lw": [
            "It helps most when the person has some support at home already.",
            "It works better for people who are already half ready to change.",
        ],
    },
}

HEDGES = [
    "",
    "",
    "",
    "To be honest, ",
    "I think ",
    "You know, ",
    "I'd say ",
    "Looking back, ",
]

FIELDNOTE_OPENERS = [
    "Observed in clinic: ",
    "Team meeting note: ",
    "Debrief with the link worker: ",
    "Observed at a VCSE drop-in: ",
    "Fieldnote, reception area: ",
]

FILLER = [
    "We talked about the weather for a bit first.",
    "Interviewer: Can you say a bit more about that?",
    "It was a Tuesday, I remember, because of the bins.",
    "Sorry, where was I?",
    "The interview paused while a phone rang.",
    "Interviewer: And how did that make you feel?",
]
