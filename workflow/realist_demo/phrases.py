"""Sentence banks for the synthetic demo data: interview and fieldnote wording per code, in
each speaker's own voice.

Voices: `patient` (first person, about the link worker as "she"), `primary_care_staff` (a GP,
nurse, receptionist or manager, about "our patients" and "her"), `vcse` (staff of a community
group, about "our members"), `link_worker` and `other_link_worker` (first person, about their
own caseload and scheme), `observation` (the fieldworker's notes, third person throughout).

`PHRASES` holds the supporting wording; `REFUTING` the wording of passages coded as refuting,
whose outcome sentence says the outcome did not follow, so a refuting quote never retells a
supporting one. Within a code every interview voice other than the link workers' has as many
sentences as the others (and the two link-worker voices as many as each other): the generator
draws a sentence's position before it knows the voice's words, so counts never depend on them.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, list[str]]] = {
    "flexible_appointments": {
        "patient": [
            "She never once looked at the clock; we had as long as we needed.",
            "My first appointment with her went on for nearly an hour and nobody hurried me.",
            "I could see her every week at the start, then once a month when things settled down.",
        ],
        "primary_care_staff": [
            "She isn't tied to ten-minute slots like the rest of us, and some first visits run to an hour.",
            "Our appointment system gives her hour-long slots, which no clinician here gets.",
            "She can see someone weekly for a while and then drop to monthly, as she sees fit.",
        ],
        "observation": [
            "The link worker's diary showed hour-long first appointments and shorter follow-ups.",
            "A first appointment ran for seventy minutes; nobody on the team queried the overrun.",
            "The link worker moved one patient from weekly to monthly sessions during the visit.",
        ],
        "link_worker": [
            "I book an hour for a first appointment, and longer if someone clearly needs it.",
            "Nobody tells me how often to see people, so I judge it case by case.",
        ],
        "other_link_worker": [
            "In our scheme we set our own appointment lengths, anything from twenty minutes to two hours.",
            "My manager leaves it to me how often I see someone and for how long.",
        ],
    },
    "vcse_networks": {
        "patient": [
            "She seemed to know every group in the town, from the walking club to the food bank.",
            "She had a folder of local groups and knew somebody at nearly all of them.",
            "When I said I used to paint, she knew a class round the corner within a minute.",
        ],
        "vcse": [
            "She sits on the voluntary sector forum with us, so she hears about new groups early.",
            "Our coordinator and the link worker speak most weeks about who has space.",
            "She came to our open day in her first month and has kept in touch ever since.",
        ],
        "observation": [
            "The link worker attended the voluntary sector forum and took notes on three new groups.",
            "A wall chart in the link worker's room listed forty local groups with contact names.",
            "At the drop-in, volunteers greeted the link worker by name and asked after referrals.",
        ],
        "link_worker": [
            "I spent my first months visiting every community group I could find.",
            "I've known the people at the men's shed and the carers' centre for years.",
        ],
        "other_link_worker": [
            "Our scheme keeps a shared directory of groups, and I add to it after every visit.",
            "I grew up in the area, so I already knew most of the community organisations.",
        ],
    },
    "supportive_practice": {
        "primary_care_staff": [
            "One of our partners really championed the role from the start.",
            "As practice manager I made sure she was invited to the clinical meetings.",
            "Our senior GP kept telling everyone to send people her way.",
        ],
        "vcse": [
            "The practice there has a GP who actually rings us to ask how people are doing.",
            "Their practice manager came to one of our sessions to see what we offer.",
            "One surgery in particular backs her, and it shows in who they send to us.",
        ],
        "observation": [
            "At the clinical meeting the senior partner asked the link worker to present her figures.",
            "The practice manager had booked a room for the link worker for the whole year.",
            "A GP stopped the link worker in the corridor to thank her for a patient's progress.",
        ],
        "link_worker": [
            "Having a GP who backs me makes all the difference when I raise something.",
            "The practice manager fought to get me a proper room.",
        ],
    },
    "co_located": {
        "primary_care_staff": [
            "Her room is just down the corridor from reception, so you bump into her all the time.",
            "Being in the building means we can grab her between patients.",
            "She works from the surgery three days a week now, so she is easy to find.",
        ],
        "observation": [
            "The link worker's room is next to the treatment room, off the main corridor.",
            "Between appointments the link worker ate lunch in the staff room with two nurses.",
            "Reception staff walked a patient straight to the link worker's door without booking.",
        ],
        "link_worker": [
            "Being in the building, I have lunch with the nurses and catch the GPs in the corridor.",
            "Sitting next to the admin team means I hear about people before they are referred.",
        ],
    },
    "complex_needs": {
        "patient": [
            "I had the debts, the housing, my mum's illness, all at once, and nobody was joining it up.",
            "My flat was damp, my benefits had stopped and I hadn't spoken to anyone in weeks.",
            "I went to the doctor about my back, but really it was loneliness and money.",
        ],
        "primary_care_staff": [
            "A lot of the people we refer have three or four problems tangled together.",
            "He came in about his back, but really it was loneliness, money and a flat with damp.",
            "Our frequent attenders rarely have one problem; it is housing, debt and grief together.",
        ],
        "vcse": [
            "The people she sends us are often dealing with debt, poor housing and isolation at once.",
            "Our members come with a lot going on, and the group is only one piece of it.",
            "Some of her referrals arrive carrying a bereavement, a benefits appeal and a bad back.",
        ],
        "observation": [
            "The patient listed rent arrears, a sick parent and a benefits sanction in one session.",
            "Three of the four patients seen that morning raised housing as well as money worries.",
            "The referral form noted isolation, debt and poorly controlled diabetes together.",
        ],
        "link_worker": [
            "Most of my caseload have more than one thing going on: housing, benefits, isolation.",
            "People arrive with everything piled up and you have to untangle it slowly.",
        ],
    },
    "role_unclear": {
        "primary_care_staff": [
            "To be honest, I'm not sure anyone ever wrote down what the role is for.",
            "We didn't really know what to refer to her, so we referred everything.",
            "Her job description said one thing and our practice expected something else.",
        ],
        "observation": [
            "The link worker's job description ran to two paragraphs and named no limits to the role.",
            "Referrals on the list that day ranged from bereavement to a broken boiler.",
            "A receptionist asked the researcher what the link worker was actually meant to do.",
        ],
        "link_worker": [
            "My job description was two paragraphs long and nobody could tell me where it ended.",
            "There were no real boundaries set when I started, so I made them up as I went.",
        ],
        "other_link_worker": [
            "Our scheme's guidance says 'non-medical needs', which could mean almost anything.",
            "Each practice I cover has its own idea of what I'm there to do.",
        ],
    },
    "high_caseload": {
        "patient": [
            "I waited six weeks for my first appointment because she had so many people to see.",
            "She told me her list was full and she was squeezing me in.",
            "You could tell she was seeing far more people than one person should.",
        ],
        "primary_care_staff": [
            "Her list has grown and grown since we started sending everyone.",
            "There is a waiting list for her now, which there never used to be.",
            "She carries far more patients than the network ever planned for.",
        ],
        "vcse": [
            "She is so busy now that our referrals from her come in batches, weeks late.",
            "When we ring her about someone she is usually between three other people.",
            "Her caseload has doubled, and we hear about it every time we speak.",
        ],
        "link_worker": [
            "I have over ninety people open at the moment and new referrals every day.",
            "My caseload doubled in a year and nothing was taken off my plate.",
        ],
        "other_link_worker": [
            "We each carry well over a hundred people in our scheme, which is twice the guidance.",
            "My list never gets shorter; for every person I close, two more arrive.",
        ],
    },
    "working_alone": {
        "link_worker": [
            "I'm on my own here; there's no other link worker to talk things through with.",
            "Supervision is a phone call once a month if I'm lucky.",
        ],
        "other_link_worker": [
            "I cover four practices on my own, so there is nobody to share a difficult case with.",
            "Our team meets once a quarter; the rest of the time I work alone.",
        ],
    },
    "micro_discretion": {
        "patient": [
            "She walked me to the group the first time, which I know isn't really part of her job.",
            "She came out to my house because she could tell I would never manage the surgery.",
            "She rang the housing office for me there and then, instead of giving me a number.",
        ],
        "primary_care_staff": [
            "She bent the rules a bit and phoned the housing office for him there and then.",
            "She decided to do a home visit because she could tell he would never come in.",
            "She uses her judgement about when to go beyond signposting, and we back her on it.",
        ],
        "vcse": [
            "She brought one lady to our group herself and stayed for the first half hour.",
            "Sometimes she rings us from her room with the person sitting beside her.",
            "She judges who needs an introduction and who just needs our leaflet.",
        ],
        "observation": [
            "The link worker phoned the council with the patient present rather than signposting.",
            "The link worker arranged a home visit for a man who had missed two appointments.",
            "The link worker walked a patient to the lunch club door and stayed for a few minutes.",
        ],
        "link_worker": [
            "Sometimes I go with someone to their first session, even though the guidance says signpost.",
            "I use my judgement: if a phone call now saves a crisis later, I make the call.",
        ],
        "other_link_worker": [
            "The guidance says signpost, but I'll make the first call with someone if they're frightened.",
            "I decide for each person whether a leaflet is enough or whether I need to go along.",
        ],
    },
    "feeling_listened_to": {
        "patient": [
            "For the first time somebody actually listened to the whole story.",
            "She let me talk and didn't try to fix everything in the first five minutes.",
            "She asked what mattered to me and then really listened to the answer.",
        ],
        "observation": [
            "The link worker spoke for only a few minutes of a forty-minute first appointment.",
            "The patient talked at length about her late husband; the link worker did not interrupt.",
            "The link worker asked the patient what mattered most to him before any suggestion.",
        ],
    },
    "demonstrating_effect": {
        "primary_care_staff": [
            "When I saw how much calmer one of my regular patients was after a few sessions, I was convinced.",
            "She brought case stories to our practice meeting, and that won people over.",
            "The drop in repeat appointments for a couple of our regulars spoke for itself.",
        ],
        "vcse": [
            "She shares the stories of people we've taken on with the practice, and they listen.",
            "Our attendance figures went into her report to the GPs.",
            "The GPs came round once they saw who was turning up to our groups.",
        ],
        "observation": [
            "The link worker presented two anonymised case stories at the practice meeting.",
            "A slide at the network meeting showed fewer GP visits among the link worker's patients.",
            "The GP who had been sceptical asked for copies of the link worker's case studies.",
        ],
        "link_worker": [
            "I keep short case studies so the GPs can see what happened to the people they sent.",
            "Once a GP saw one of their frequent attenders settle, the referrals started coming.",
        ],
    },
    "forging_identity": {
        "primary_care_staff": [
            "She has made the role her own; people here know what she's about now.",
            "At first we didn't know what to call her, now she is just part of the team.",
            "She presented at our team away day and explained what her work is.",
        ],
        "observation": [
            "The link worker introduced herself and her role at the start of the clinical meeting.",
            "A new receptionist was told to ask the link worker rather than the nurse about a referral.",
            "The link worker's name and photo have been added to the staff board in reception.",
        ],
        "link_worker": [
            "I had to work out who I was in the practice: not a nurse, not a receptionist, something new.",
            "I introduced myself at every meeting until people stopped asking who I was.",
        ],
    },
    "staff_trust": {
        "primary_care_staff": [
            "I trust her judgement; if she says someone needs a GP, I see them.",
            "The doctors know she'll handle it properly, so they hand things over.",
            "We trust her to make the call on who needs what.",
        ],
        "observation": [
            "A GP accepted the link worker's view that a patient needed a same-day appointment.",
            "The nurse handed over a patient's notes to the link worker without further checks.",
            "A nurse asked the link worker to see a man who was waiting in reception.",
        ],
        "link_worker": [
            "The GPs trust me now to decide whether something is medical or not.",
            "Once the nurses trusted me, they stopped double-checking my referrals.",
        ],
    },
    "holding": {
        "patient": [
            "She kept in touch, even just a text, through the worst of it.",
            "She was there every fortnight until I felt ready to go to the group on my own.",
            "She didn't close my case when the six sessions ran out.",
        ],
        "primary_care_staff": [
            "She holds people for a while before they are ready to move on.",
            "Some of our patients stay with her for months, and that seems to be what they need.",
            "She keeps an eye on our most fragile patients long after the referral.",
        ],
        "vcse": [
            "She still checks in on the people she sent us, months after they started.",
            "She stays in touch with our members until they are settled with us.",
            "She rings us to see how someone is doing long after she referred them.",
        ],
        "link_worker": [
            "Some people need me to hold them for months before they can take the next step.",
            "I keep a few people on longer than the model says because letting go too early undoes everything.",
        ],
    },
    "overstepping_remit": {
        "primary_care_staff": [
            "She ended up filling in benefit forms and chasing the council, which isn't really her job.",
            "We started sending her things the mental health team should have picked up.",
            "She was doing counselling, really, without the training or supervision for it.",
        ],
        "observation": [
            "The link worker spent most of the afternoon completing a benefits appeal form.",
            "The link worker stayed with a distressed patient while the crisis team was called.",
            "A GP asked the link worker to follow up a safeguarding concern herself.",
        ],
        "link_worker": [
            "I found myself doing a social worker's job because nobody else would.",
            "I've sat with people in crisis when I knew it was beyond my remit.",
        ],
        "other_link_worker": [
            "Half my week goes on housing appeals, which was never meant to be my job.",
            "I end up doing the mental health team's follow-ups because they have a waiting list.",
        ],
    },
    "role_uncertainty": {
        "link_worker": [
            "I honestly don't know what I'm supposed to be measured on.",
            "I keep asking myself whether this job will even exist next year.",
        ],
        "other_link_worker": [
            "Our contract is renewed a year at a time, so none of us knows where the role is going.",
            "Every manager I've had has described the job differently.",
        ],
    },
    "connections_patients": {
        "patient": [
            "I'd trust her with anything now; she's the one I ring.",
            "I actually turn up to her appointments, which I never did for the doctors.",
            "I can tell her things I've never told anyone at the surgery.",
        ],
        "primary_care_staff": [
            "Patients ask for her by name at reception.",
            "He actually turns up to her appointments, which he never did for us.",
            "Our patients tell us they trust her more than anyone in the building.",
        ],
        "observation": [
            "Two patients in the waiting room asked the receptionist for the link worker by name.",
            "A patient who had missed every GP appointment that year arrived early for the link worker.",
            "At the end of the session the patient asked when she could see the link worker again.",
        ],
        "link_worker": [
            "People come back and tell me how they're getting on, which says a lot.",
            "Once that trust is there, people open up about the things that really matter.",
        ],
    },
    "connections_vcse": {
        "patient": [
            "I go to the knitting group on Tuesdays now and I've made two friends there.",
            "I joined the walking group she found me and I haven't missed a week.",
            "I help out at the food bank now, which I'd never have done on my own.",
        ],
        "vcse": [
            "We get more referrals from her than from any other route, and they're the right people.",
            "Our lunch club has taken on four of her patients this year.",
            "Most of the people she sends us are still coming months later.",
        ],
        "observation": [
            "Four of the lunch club's twelve members that day had been referred by the link worker.",
            "The walking group leader told the link worker that both her referrals had come back.",
            "A patient referred last month was helping to set out chairs at the drop-in.",
        ],
        "link_worker": [
            "The groups ring me now when they have space, which makes onward referral easy.",
            "I've helped two groups start up because there was nothing for young carers.",
        ],
        "other_link_worker": [
            "Most of the people I refer to the community garden are still going six months on.",
            "The groups in our patch take my referrals because they know I've done the groundwork.",
        ],
    },
    "buy_in": {
        "primary_care_staff": [
            "Now the whole practice sees the point of the role.",
            "The sceptics in our practice have come round.",
            "Even the partners who doubted it are referring now.",
        ],
        "vcse": [
            "The practice sends us people directly now, which they never used to.",
            "Their GPs mention our groups to patients themselves these days.",
            "Even the practice that ignored us at first is on board now.",
        ],
        "observation": [
            "Every GP at the meeting had referred at least once to the link worker that month.",
            "The partner who had opposed the post now chairs the practice's social prescribing slot.",
            "Referral numbers on the practice dashboard had tripled since the spring.",
        ],
        "link_worker": [
            "The practice sees me as part of the team now, not an add-on.",
            "It took a year, but the GPs are behind the role now.",
        ],
    },
    "belonging": {
        "primary_care_staff": [
            "She's one of us now; it would feel strange without her.",
            "She has a place at the table in our practice meeting.",
            "She's on the staff photo board with everyone else.",
        ],
        "observation": [
            "The link worker was included in the practice's rota for the staff Christmas lunch.",
            "The link worker sat with the nurses at the team meeting and was asked for her view.",
            "Staff referred to the link worker as part of the team when introducing her to visitors.",
        ],
        "link_worker": [
            "I feel like I belong in the practice rather than being bolted on.",
            "I'm part of the furniture now, in a good way.",
        ],
    },
    "primary_care_capacity": {
        "primary_care_staff": [
            "It has taken pressure off the GPs; those non-medical appointments go to her now.",
            "My list has fewer of the appointments I could never fix with a prescription.",
            "It frees up appointments for people who need a doctor.",
        ],
        "observation": [
            "The duty GP redirected two non-medical requests to the link worker before lunch.",
            "The practice's audit showed fewer repeat appointments among patients the link worker saw.",
            "A receptionist booked a patient with the link worker instead of the first GP slot.",
        ],
        "link_worker": [
            "The GPs tell me their frequent attenders come in less often now.",
            "I take the conversations a ten-minute appointment can't hold.",
        ],
    },
    "person_centred_care": {
        "patient": [
            "Everything we did was about what I wanted, not a leaflet handed over.",
            "The plan was built around what mattered to me, not what the system offered.",
            "She worked out what I wanted to change before suggesting anything.",
        ],
        "observation": [
            "The goals on the patient's plan were written in the patient's own words.",
            "The link worker changed the plan when the patient said swimming mattered more than weight.",
            "The link worker offered three options and let the patient choose the order.",
        ],
    },
    "wellbeing": {
        "patient": [
            "I'm sleeping better and I get out of the house most days now.",
            "My mood has lifted; I feel more like myself.",
            "I don't dread the mornings the way I used to.",
        ],
        "vcse": [
            "Our members from her seem brighter and more hopeful after a few weeks with us.",
            "You can see people relax once they've been coming for a month or two.",
            "One of her referrals told our volunteers she felt like herself again.",
        ],
        "link_worker": [
            "You can see the change in people: they stand taller, they laugh again.",
            "People tell me they feel less alone, and their scores go up too.",
        ],
    },
    "dependency": {
        "patient": [
            "I don't know what I'd do if she left; I ring her about everything.",
            "I only feel safe talking to her, nobody else at the surgery.",
            "When she was off sick for a fortnight I didn't know where to turn.",
        ],
        "primary_care_staff": [
            "Some patients won't see anyone else now, only her.",
            "A few of her people seem to lean on her rather than getting stronger.",
            "One of our patients comes to reception every day asking for her.",
        ],
        "vcse": [
            "Some people won't come to the group unless she is there with them.",
            "A few of her referrals ring her rather than speaking to our volunteers.",
            "One lady stopped coming the week the link worker went on leave.",
        ],
        "link_worker": [
            "A few people ring me every day, and I worry I've made them depend on me.",
            "Ending with some patients is hard because I'm the only one they have.",
        ],
    },
    "job_satisfaction": {
        "link_worker": [
            "Being able to do what I think is right for someone is why I love this job.",
            "On the good days, this is the most satisfying job I've ever had.",
        ],
        "other_link_worker": [
            "The freedom to shape my own work is what keeps me in the job.",
            "I get a real buzz when a plan comes together for someone.",
        ],
    },
    "overstretched": {
        "primary_care_staff": [
            "She looks exhausted; she's taking work home every night.",
            "She is spread far too thin across our sites.",
            "She told me she had cried in the car park after a bad week.",
        ],
        "observation": [
            "The link worker ate lunch at her desk while returning eleven phone calls.",
            "The link worker stayed ninety minutes after the practice closed to finish her notes.",
            "The link worker said she had not taken a day's leave since the spring.",
        ],
        "link_worker": [
            "I'm stretched so thin I can't give people the time I want to.",
            "Some weeks I feel completely overwhelmed by it all.",
        ],
        "other_link_worker": [
            "By Thursday I've nothing left to give the people I see.",
            "I'm working evenings just to keep my notes up to date.",
        ],
    },
    "intention_to_leave": {
        "link_worker": [
            "I've started applying for other jobs, to be honest.",
            "If nothing changes with the role, I won't be here in a year.",
        ],
        "other_link_worker": [
            "Two of our team left this year and I've been looking myself.",
            "I love the work, but I can't see myself doing it for much longer.",
        ],
    },
    # ---- codes of the planted candidate CMOC (generator.PLANTED_TRIAD): coded, not yet configured
    "transport_barriers": {
        "patient": [
            "There's one bus an hour out of the estate, and none at all on a Sunday.",
            "I don't drive any more, and a taxi into town costs more than I can spend.",
            "Getting there was the problem: two buses and a long walk at the end.",
            "With my hip I can't manage the walk to the bus stop most days.",
        ],
        "vcse": [
            "A lot of our older members said they simply couldn't get to us on their own.",
            "Our hall is on the edge of town, and the bus stopped running past it last year.",
            "People from the villages tell us the fare is more than they can spare.",
            "We lose people every winter because the walk up the hill is too much.",
        ],
    },
    "accompanied_first_visit": {
        "patient": [
            "She came with me the first time and sat beside me until I knew a few faces.",
            "She met me at the bus stop and walked in with me that first week.",
            "Having someone go along the first time took the fear out of walking through the door.",
            "She drove me there once, introduced me, and after that I went on my own.",
        ],
        "vcse": [
            "The link worker met him at the bus stop and walked in with him that first week.",
            "She brings new people to their first session and introduces them to our volunteers.",
            "The ones she comes in with the first time are the ones who keep coming.",
            "She sat with one gentleman through his whole first session until he felt at home.",
        ],
    },
}

#: Wording of passages coded as refuting, per code and voice: the context and mechanism in other
#: words than the supporting ones, and an outcome sentence that says the outcome did not follow.
#: The position drawn for the supporting list picks from it (cyclically, where it is shorter).
REFUTING: dict[str, dict[str, list[str]]] = {
    "flexible_appointments": {
        "patient": [
            "She gave me a full hour each time, far more than the doctor ever could.",
            "She let me choose how often we met, weekly or whenever I felt up to it.",
            "Nobody rushed me; our sessions lasted as long as I wanted.",
        ],
        "primary_care_staff": [
            "Nobody here limits how long her appointments run.",
            "She sets her own diary, with long sessions whenever she wants them.",
            "Her appointments can be as long or as frequent as she thinks right.",
        ],
        "observation": ["Each of the link worker's appointments that day was booked for an hour."],
        "link_worker": [
            "I gave her a whole hour, and let it run on when she wanted to talk.",
            "I saw him every week for two months, as often as he liked.",
        ],
        "other_link_worker": [
            "I can give someone ninety minutes if I think they need it.",
            "Nobody in our scheme checks how often I see people.",
        ],
    },
    "vcse_networks": {
        "patient": [
            "She had a long list of clubs and societies to suggest.",
            "She knew the people who run the community centre personally.",
            "She seemed to have a contact at every club in the area.",
        ],
        "vcse": [
            "She knows our group and every other one in the area.",
            "She has been to all the voluntary sector meetings this year.",
            "There isn't a group in the town she hasn't visited.",
        ],
        "observation": ["The link worker named six local groups from memory during the session."],
        "link_worker": [
            "I know the organisers at the community centre well.",
            "I had three groups in mind for her before she'd finished speaking.",
        ],
        "other_link_worker": [
            "I know every group in my patch by now.",
            "I'd visited the lunch club only the week before.",
        ],
    },
    "supportive_practice": {
        "primary_care_staff": [
            "Our lead GP has always spoken up for the link worker post.",
            "The partners here fought to keep her funding last year.",
            "Our practice manager has backed her from day one.",
        ],
        "vcse": [
            "That surgery has a doctor who really believes in her work.",
            "Their practice manager is one of her biggest fans.",
            "The GPs at that surgery speak highly of her.",
        ],
        "observation": ["The senior partner introduced the link worker warmly at the meeting."],
        "link_worker": [
            "My practice manager is right behind me.",
            "I've got a partner here who champions everything I do.",
        ],
    },
    "co_located": {
        "primary_care_staff": [
            "She's based here in the building, two doors from my room.",
            "She shares the corridor with the nurses every day.",
            "Her office is on our corridor, so we see her every day.",
        ],
        "observation": ["The link worker's room is on the same corridor as the GPs' rooms."],
        "link_worker": [
            "I'm in the surgery four days a week, next to the treatment room.",
            "My desk is right in the middle of the admin office.",
        ],
    },
    "complex_needs": {
        "patient": [
            "My husband had just died and the bills were piling up.",
            "I was caring for my son and behind on the rent.",
            "I'd lost my job, and my marriage was falling apart.",
        ],
        "primary_care_staff": [
            "The patient I'm thinking of had grief, debt and a bad chest all at once.",
            "Most of the people I send her are juggling several problems.",
            "He had money trouble, a bereavement and nobody at home.",
        ],
        "vcse": [
            "The man she sent us was homeless and grieving.",
            "She referred a young mum with debts and no family nearby.",
            "Most of her referrals have several things going wrong at once.",
        ],
        "observation": ["The patient described arrears, a bereavement and chronic pain."],
        "link_worker": [
            "She had housing problems, money worries and a son in prison.",
            "He came with debts, a drink problem and nobody at home.",
        ],
    },
    "role_unclear": {
        "primary_care_staff": [
            "Nobody in the practice could say where her job stops.",
            "Her remit was never properly agreed with us.",
            "What her job covers was never written down for us.",
        ],
        "observation": ["The practice had no written description of the link worker's remit."],
        "link_worker": [
            "My role had no edges when I started.",
            "Nobody agreed with me what was in or out of the job.",
        ],
        "other_link_worker": [
            "Our scheme never spelled out the limits of the job.",
            "What I'm there for changes with every practice manager.",
        ],
    },
    "high_caseload": {
        "patient": [
            "I knew she had a huge list of people to see.",
            "She told me she was seeing dozens of us every week.",
            "Her diary was so full I had to wait a month to see her.",
        ],
        "primary_care_staff": [
            "Her list is the longest of anyone in the practice.",
            "We've sent her more people this year than ever.",
            "She has far more people on her books than anyone planned.",
        ],
        "vcse": [
            "She has more people on her books than she can count.",
            "Her waiting list runs to several weeks now.",
            "She tells us she has over a hundred people to keep track of.",
        ],
        "link_worker": [
            "My list is longer than it has ever been.",
            "I'm carrying far more people than I was told I would.",
        ],
        "other_link_worker": [
            "My caseload is the biggest in our team.",
            "I have a waiting list for the first time.",
        ],
    },
    "working_alone": {
        "link_worker": [
            "There's nobody else doing my job in the network.",
            "I have no colleague in the same role to turn to.",
        ],
        "other_link_worker": [
            "I'm the only link worker across my practices.",
            "There's no one in my team I see from week to week.",
        ],
    },
    "micro_discretion": {
        "patient": [
            "She went out of her way and made the phone calls for me.",
            "She came to my house when I couldn't face going out.",
            "She did more than she had to, ringing round on my behalf.",
        ],
        "primary_care_staff": [
            "She went the extra mile and visited him at home.",
            "She took it on herself to ring the council for the patient.",
            "She used her own judgement and went well beyond signposting.",
        ],
        "vcse": [
            "She came along to the first session with him herself.",
            "She made the introduction in person, not just a referral form.",
            "She walked him through our door on his first day herself.",
        ],
        "observation": [
            "The link worker made a phone call on the patient's behalf during the session."
        ],
        "link_worker": [
            "I went with her to the group myself, which isn't strictly my job.",
            "I made the calls for him rather than handing over a number.",
        ],
        "other_link_worker": [
            "I went beyond the guidance and took him there myself.",
            "I bent the rules and did a home visit.",
        ],
    },
    "feeling_listened_to": {
        "patient": [
            "She heard me out properly, I'll give her that.",
            "She listened to every word and took notes.",
        ],
        "observation": ["The link worker listened without interrupting for most of the session."],
    },
    "demonstrating_effect": {
        "primary_care_staff": [
            "She showed us the figures and a couple of her success stories.",
            "She presented her case studies at the practice meeting.",
        ],
        "vcse": [
            "She told the practice about the people doing well at our groups.",
            "She took our figures to the GPs.",
        ],
        "observation": ["The link worker shared an outcome summary with the practice team."],
        "link_worker": [
            "I showed them the case studies and the wellbeing scores.",
            "I presented what had happened to the people they had sent me.",
        ],
    },
    "forging_identity": {
        "primary_care_staff": [
            "She has worked hard at explaining what she does.",
            "She introduced herself to every one of us.",
        ],
        "observation": ["The link worker explained her role again to a locum GP."],
        "link_worker": [
            "I worked hard to explain what a link worker is.",
            "I've made sure everyone knows my name and what I do.",
        ],
    },
    "staff_trust": {
        "primary_care_staff": [
            "I rely on her judgement with my patients.",
            "I take her word on whether someone needs me.",
        ],
        "observation": ["A nurse accepted the link worker's assessment without question."],
        "link_worker": [
            "The doctors take my word for it now.",
            "The nurses accept my judgement on who needs what.",
        ],
    },
    "holding": {
        "patient": [
            "She stayed with me for months and never rushed me.",
            "She rang me every week for most of the year.",
            "She kept me on long after the usual sessions ran out.",
        ],
        "primary_care_staff": [
            "She has kept some of our patients on her books for a year.",
            "She never lets go of people quickly.",
            "She keeps seeing people long after most services would stop.",
        ],
        "vcse": [
            "She stays involved with the people she sends us for months.",
            "She keeps ringing the people she referred.",
            "She keeps in close touch with everyone she refers to us.",
        ],
        "link_worker": [
            "I kept him on for the best part of a year.",
            "I stayed in touch with her every fortnight for months.",
        ],
    },
    "overstepping_remit": {
        "primary_care_staff": [
            "She does a lot that should be social services' job.",
            "She took on a safeguarding case we should have kept.",
        ],
        "observation": ["The link worker took on a housing appeal outside her stated remit."],
        "link_worker": [
            "I do things every week that are well outside my job description.",
            "I took on a debt case that should have gone to the advice service.",
        ],
        "other_link_worker": [
            "I regularly do work that belongs to other services.",
            "I filled in a disability claim for someone last week.",
        ],
    },
    "role_uncertainty": {
        "link_worker": [
            "I don't know what the job will look like in a year.",
            "Nobody has told me how my work is judged.",
        ],
        "other_link_worker": [
            "I don't know if our scheme will be funded next year.",
            "There's no career path for us that I can see.",
        ],
    },
    "connections_patients": {
        "patient": [
            "But I never really felt I could open up to her.",
            "Still, I kept missing appointments and she gave up on me in the end.",
        ],
        "primary_care_staff": [
            "Even so, several of the patients I sent never went back after the first visit.",
            "But the patients I referred didn't warm to her any more than to us.",
        ],
        "observation": ["Even so, the patient left early and did not book a second appointment."],
        "link_worker": [
            "Even so, she stopped coming after the third session and never answered my calls.",
            "Still, he never opened up, and after a while he just stopped turning up.",
        ],
    },
    "connections_vcse": {
        "patient": [
            "But I went to the group twice and didn't go back; it wasn't for me.",
            "I never went in the end; I couldn't face a room full of strangers.",
        ],
        "vcse": [
            "Yet most of the people she sends us come once and we never see them again.",
            "Even so, hardly any of her referrals have stayed with our groups.",
        ],
        "observation": ["None of the patients referred to the drop-in that month had attended."],
        "link_worker": [
            "But the groups were full, and in the end nobody took her on.",
            "He went once and said it wasn't for him, and I had nowhere else to suggest.",
        ],
        "other_link_worker": [
            "Even then, nobody I referred to the garden project lasted more than a fortnight.",
            "But the groups round us are full, so the referral went nowhere.",
        ],
    },
    "buy_in": {
        "primary_care_staff": [
            "Even so, half the partners still don't refer to her at all.",
            "Most of my colleagues still think it's a fad and ignore her.",
        ],
        "vcse": [
            "Yet that practice still doesn't send us anyone.",
            "But the GPs there still haven't heard of our groups.",
        ],
        "observation": ["Even so, only one GP had referred to the link worker that quarter."],
        "link_worker": [
            "Even then, the GPs carried on ignoring me.",
            "But most of the practice still sees me as an optional extra.",
        ],
    },
    "belonging": {
        "primary_care_staff": [
            "Even so, she still feels like a visitor to most of us.",
            "But she isn't really part of the team, to be honest.",
        ],
        "observation": ["Even so, the link worker was not invited to the practice's team meeting."],
        "link_worker": [
            "But I still feel like a guest in the building.",
            "Even after two years I'm not really one of the team.",
        ],
    },
    "primary_care_capacity": {
        "primary_care_staff": [
            "But it hasn't saved me a single appointment that I can see.",
            "Yet the GPs are no less busy than before she came.",
        ],
        "observation": ["The GP appointment list that week was as full as in the previous year."],
        "link_worker": [
            "Yet the GPs say their lists are as full as ever.",
            "But the frequent attenders still book the doctor as often as before.",
        ],
    },
    "person_centred_care": {
        "patient": [
            "But in the end I still got the same leaflets as everyone else.",
            "Even so, the plan was what the service had on offer, not what I wanted.",
        ],
        "observation": ["Even so, the plan drawn up listed the scheme's standard options only."],
    },
    "wellbeing": {
        "patient": [
            "But honestly, I don't feel any better than I did before.",
            "Even so, my mood is as low as it ever was.",
        ],
        "vcse": [
            "Yet the people she sends us don't seem any happier for it.",
            "Even so, her referrals seem as low as when they arrived.",
        ],
        "link_worker": [
            "But her scores didn't move at all, and she said she felt just the same.",
            "Even so, he told me he was as lonely as ever.",
        ],
    },
    "dependency": {
        "patient": [
            "But I never leaned on her; I was glad to manage on my own.",
            "Even so, I was ready to stop when the time came, and I did.",
        ],
        "primary_care_staff": [
            "But none of them seem to depend on her; they move on when they're ready.",
            "Even so, she ends with people cleanly and they don't come back.",
        ],
        "vcse": [
            "Yet nobody she sends us seems to hang on to her.",
            "But the people she refers soon stand on their own feet.",
        ],
        "link_worker": [
            "But she was ready to go, and she hasn't needed me since.",
            "Even so, when I closed his case he was fine on his own.",
        ],
    },
    "job_satisfaction": {
        "link_worker": [
            "But it doesn't make the job any more satisfying for me.",
            "Even so, I don't get much out of the work any more.",
        ],
        "other_link_worker": [
            "But that freedom doesn't make me enjoy the work.",
            "Even so, most days the job leaves me flat.",
        ],
    },
    "overstretched": {
        "primary_care_staff": [
            "But she seems to thrive on it rather than being worn down.",
            "Even so, she always looks calm and on top of things.",
        ],
        "observation": ["Even so, the link worker finished on time and appeared relaxed."],
        "link_worker": [
            "But I honestly feel energised by it, not worn out.",
            "Even so, I'm coping fine and leave on time most days.",
        ],
        "other_link_worker": [
            "But I don't feel stretched by it at all.",
            "Even so, I manage my week without working late.",
        ],
    },
    "intention_to_leave": {
        "link_worker": [
            "But I've no plans to leave; I want to stay.",
            "Even so, I can see myself doing this job for years.",
        ],
        "other_link_worker": [
            "But I'm staying put; leaving hasn't crossed my mind.",
            "Even so, I'd never think of quitting.",
        ],
    },
}

#: A closing sentence for a refuting passage whose outcome sentence was not coded.
REFUTES_TAGS: dict[str, list[str]] = {
    "patient": ["That said, it didn't work like that for me.", "But it made no difference to me."],
    "primary_care_staff": ["But in our practice it was the opposite.", "It didn't help here."],
    "vcse": ["But that hasn't been our experience at all.", "It hasn't worked with us."],
    "observation": ["No effect was seen that day.", "The expected result did not follow."],
    "link_worker": ["Mind you, that doesn't hold for everyone I see.", "It went the other way."],
    "other_link_worker": ["In our scheme it didn't work out.", "It went the other way for me."],
}
#: A closing sentence for a passage coded as refining the CMOC.
REFINES_TAGS: dict[str, list[str]] = {
    "patient": [
        "It only helped, though, because I was ready for it.",
        "Though I think it depends which doctor sends you.",
    ],
    "primary_care_staff": [
        "It only works, though, if the patient is ready for it.",
        "Though it depends a lot on which GP they see.",
    ],
    "vcse": [
        "It works best for people who already have someone at home.",
        "Though it depends on whether our group suits them.",
    ],
    "observation": [
        "The link worker said this works only when the patient is ready.",
        "Staff noted it depends on which GP makes the referral.",
    ],
    "link_worker": [
        "It helps most when the person has some support at home already.",
        "It works better for people who are already half ready to change.",
    ],
    "other_link_worker": [
        "In our scheme it only works for people with someone behind them.",
        "It depends a lot on how ready the person is.",
    ],
}

#: Openings of an interview passage; each reads before any sentence of any voice and tense.
HEDGES = [
    "",
    "",
    "",
    "To be honest, ",
    "Well, ",
    "You know, ",
    "I mean, ",
    "Honestly, ",
]

#: Openings of a fieldnote passage: a time of day, not a place, so that any observation fits.
FIELDNOTE_OPENERS = [
    "Fieldnote, morning: ",
    "Fieldnote, midday: ",
    "Fieldnote, afternoon: ",
    "Fieldnote, end of day: ",
    "Field diary: ",
]

#: Uncoded talk between an interview's coded passages.
FILLER = [
    "We talked about the weather for a bit first.",
    "Interviewer: Can you say a bit more about that?",
    "It was a Tuesday, I remember, because of the bins.",
    "Sorry, where was I?",
    "The interview paused while a phone rang.",
    "Interviewer: And how did that make you feel?",
]
#: Uncoded lines between a fieldnote's coded passages (as many as FILLER: drawn the same way).
FIELDNOTE_FILLER = [
    "Waiting room busy; two children's clinics running.",
    "Weather wet; several patients arrived late.",
    "Researcher sat at the back of the room.",
    "Phones ringing constantly at reception.",
    "Break in observation while the room was cleaned.",
    "Practice manager away on leave.",
]
