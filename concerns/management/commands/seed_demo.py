"""Load fictional demo data: two schools, one account per role, children and concerns.

Every child, adult and event here is invented. Names are common first names joined to made-up
surnames; UPNs use local-authority code 999, which no authority holds. Concerns are recorded
through the real recording service, so audit entries and DSL alerts exist as in real use.

They were recorded over the past weeks on the schools' working days and in their hours, whatever
day this runs: most were claimed and reviewed (and some closed) by the DSL team through the review
services, some await review (one claimed), one was missed and escalated by the sweep, and one child
is in immediate danger. Each step runs at the moment it happened (concerns/demo/history.py).

Runs only when settings.VIGIL_DEMO is true (never in production), and only once: a second run
finds the demo sites and changes nothing.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, Site, User
from accounts.services.mfa import DEMO_RECOVERY_CODES, DEMO_TOTP_SECRETS, mfa_device_install
from audit.sealing import audit_seal
from concerns.choices import BodySide, ChildRole, ConcernStatus, Outcome, Priority, ReviewDecisionKind
from concerns.deadlines import WorkingHours
from concerns.demo.history import (
    ADDENDUM,
    CLAIM,
    CLAIMED_BEFORE_REVIEW,
    CLOSE,
    REVIEW,
    SUBMIT,
    SWEEP,
    DemoHistory,
    Review,
    When,
    clock_at,
)
from concerns.models import Category, Child, Concern, Escalation
from concerns.services.escalation import escalations_sweep
from concerns.services.recording import ChildInConcern, Mark, addendum_add, concern_submit
from concerns.services.review import concern_claim, concern_close, concern_review

DEMO_PASSWORD = "vigil-demo-pass"
SEED = 20240901

SITES = {"oak": "Oakfield Primary School", "birch": "Birchwood Academy"}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    site: str
    role: str


DEMO_ACCOUNTS = [
    DemoAccount("staff@example.org", "Sam Teacher", "oak", Role.STAFF),
    DemoAccount("staff2@example.org", "Robin Classroom", "oak", Role.STAFF),
    DemoAccount("deputy@example.org", "Dana Deputy", "oak", Role.DEPUTY_DSL),
    DemoAccount("dsl@example.org", "Lee Safeguard", "oak", Role.DSL),
    DemoAccount("admin@example.org", "Ash Administrator", "oak", Role.ADMIN),
    DemoAccount("auditor@example.org", "Kit Auditor", "oak", Role.AUDITOR),
    DemoAccount("dsl.b@example.org", "Morgan Leadwell", "birch", Role.DSL),
    DemoAccount("staff.b@example.org", "Charlie Tutor", "birch", Role.STAFF),
]
AUDITOR_MEMBERSHIP_DAYS = 365
# The schools, their staff and their rolls were set up before the term's concerns began.
SET_UP_BEFORE = timedelta(days=120)

# Children: how many in each year group, per site. Reception is year index 0.
YEAR_GROUPS = {
    "oak": ["Reception"] + [f"Year {n}" for n in range(1, 7)],
    "birch": [f"Year {n}" for n in range(7, 12)],
}
CHILDREN_PER_YEAR = 5
# (site, year group, position in that year group): days ago the child left the roll.
LEFT_ROLL = {("oak", "Year 6", 4): 75, ("birch", "Year 10", 4): 40}
# The DfE establishment number used in each site's UPNs (with the unused LA code 999).
ESTABLISHMENT = {"oak": "2101", "birch": "4102"}
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

# fmt: off
FIRST_NAMES = [
    "Alexander", "Amelia", "Ava", "Benjamin", "Charlotte", "Chloe", "Daniel", "Elizabeth", "Ella",
    "Emily", "Ethan", "Evie", "Freddie", "Grace", "Harry", "Isla", "Isabella", "Jacob", "Jessica",
    "Joshua", "Leo", "Lily", "Mason", "Matthew", "Mia", "Noah", "Oliver", "Oscar", "Poppy", "Rosie",
    "Ruby", "Samuel", "Sophie", "Theo", "Thomas", "William", "Zara", "Arjun", "Aisha", "Yusuf", "Maya",
    "Kofi",
]
# fmt: on
PREFERRED_NAMES = {
    "Alexander": "Alex",
    "Benjamin": "Ben",
    "Charlotte": "Lottie",
    "Daniel": "Danny",
    "Elizabeth": "Libby",
    "Isabella": "Bella",
    "Jessica": "Jess",
    "Joshua": "Josh",
    "Matthew": "Matt",
    "Oliver": "Ollie",
    "Samuel": "Sam",
    "Thomas": "Tom",
    "William": "Will",
}
# Invented surnames: not words, not (to our knowledge) anyone's real name.
# fmt: off
SURNAMES = [
    "Fernsby", "Quillane", "Marrowfield", "Tindlewick", "Pemberfold", "Wrenhallow", "Clovermead",
    "Thrushcombe", "Larkspindle", "Mossingale", "Nettlecroft", "Brindlemoor", "Pipkinshaw",
    "Sallowbrook", "Tansleigh", "Kestrelby", "Ormsgill", "Rookwardine", "Dapplewick", "Finchcombe",
    "Heathermoss", "Gorsefield", "Quenby-Vale", "Umberlow",
]
# fmt: on


@dataclass(frozen=True)
class ChildRef:
    """A child picked by site, year group and position among those on the roll in that year."""

    year_group: str
    index: int
    role: str = ChildRole.SUBJECT


@dataclass(frozen=True)
class DemoConcern:
    """One fictional concern. `{child}` and `{other}` in the text become the children's names."""

    author: str
    children: tuple[ChildRef, ...]
    categories: tuple[str, ...]
    observations: str
    when: When
    child_words: str = ""
    is_disclosure: bool = False
    location: str = ""
    delay_reason: str = ""
    immediate_danger: bool = False
    called_999: bool | None = None
    marks: tuple[Mark, ...] = ()
    addenda: tuple[str, ...] = ()
    review: Review | None = None  # None: awaiting review
    claimed_by: str = ""  # awaiting review, but someone on the DSL team has it


def mark(side: str, x: str, y: str, note: str) -> Mark:
    return Mark(side=side, x=Decimal(x), y=Decimal(y), note=note)


OAK_CONCERNS = [
    DemoConcern(
        author="staff@example.org",
        children=(ChildRef("Year 3", 0),),
        categories=("Low-level welfare concern",),
        when=When(working_days_ago=5, clock="08:50", occurred_minutes=40),
        review=Review(
            by="deputy@example.org",
            after_minutes=60,
            decision=ReviewDecisionKind.MONITOR,
            rationale=(
                "Hungry and no coat on a wet day: a first welfare worry on file. Breakfast club "
                "place offered; the class teacher checks in each morning."
            ),
            priority=Priority.LOW,
        ),
        location="Breakfast club, dining hall",
        child_words="There wasn't any bread left.",
        observations=(
            "{child} arrived at breakfast club without a coat although it was raining, and said they "
            "had not eaten since lunch yesterday. {child} ate two slices of toast and a bowl of cereal "
            "quickly. Uniform was the same as yesterday, with food marks on the jumper. {child} settled "
            "in class after eating."
        ),
    ),
    DemoConcern(
        author="staff@example.org",
        children=(ChildRef("Year 3", 0),),
        categories=("Low-level welfare concern",),
        when=When(working_days_ago=3, clock="08:35", occurred_clock="14:20"),
        review=Review(
            by="deputy@example.org",
            after_minutes=45,
            decision=ReviewDecisionKind.EARLY_HELP,
            rationale=(
                "The second worry about this child this week, now caring for a sibling at night: "
                "the DSL and the attendance officer visit and offer early help."
            ),
            priority=Priority.MEDIUM,
        ),
        location="Year 3 classroom",
        child_words="The baby was crying all night and there was nobody else to get him.",
        delay_reason=(
            "A staff meeting ran late and I could not get to a computer before leaving. "
            "I recorded it first thing on my return."
        ),
        observations=(
            "{child} fell asleep during afternoon phonics and was hard to rouse. When I asked gently if "
            "they were all right, {child} said they had been up in the night looking after a younger "
            "sibling. {child} was quiet for the rest of the afternoon and was collected on time by an "
            "adult I did not recognise, who gave their name as a neighbour."
        ),
    ),
    DemoConcern(
        author="dsl@example.org",
        children=(ChildRef("Year 3", 0),),
        categories=("Neglect",),
        when=When(working_days_ago=2, clock="08:20", occurred_clock="11:05"),
        review=Review(
            by="dsl@example.org",
            after_minutes=30,
            decision=ReviewDecisionKind.EARLY_HELP,
            rationale=(
                "The parent agreed to an early help assessment: referral sent to the early help "
                "hub, food bank details given."
            ),
            priority=Priority.MEDIUM,
        ),
        location="Family home (home visit)",
        delay_reason=(
            "I went straight from the home visit to a child protection conference for another family "
            "that ran until after 18:00. Recorded the next morning."
        ),
        observations=(
            "Home visit with the attendance officer after two low-level concerns this week. {child}'s "
            "parent was polite and let us in. The house was cold; the parent said the heating had been "
            "off for a fortnight because the meter had run out. There was little food in the kitchen. "
            "The parent said they were struggling since losing work and agreed to an early help "
            "assessment. We gave details of the local food bank."
        ),
    ),
    DemoConcern(
        author="staff@example.org",
        children=(ChildRef("Year 4", 1),),
        categories=("Physical abuse",),
        when=When(working_days_ago=6, clock="10:40", occurred_minutes=30),
        review=Review(
            by="dsl@example.org",
            after_minutes=40,
            decision=ReviewDecisionKind.SPEAK_TO_CHILD,
            rationale=(
                "Four fingertip-pattern bruises with an explanation that does not fit them: the "
                "DSL speaks with the child today, the class teacher present, then decides on a "
                "referral."
            ),
            priority=Priority.HIGH,
        ),
        location="Year 4 classroom, changing for PE",
        child_words="I fell off my scooter.",
        observations=(
            "While the class changed for PE I noticed four small round bruises in a line on the back "
            "of {child}'s upper left arm, yellow-green in colour. I asked in a neutral way how it had "
            "happened. {child} said they fell off a scooter, then looked away and changed the subject. "
            "I did not ask anything further. {child} took part in PE as usual."
        ),
        marks=(
            mark(
                BodySide.BACK,
                "31.50",
                "29.00",
                "Four round bruises in a line, each about 1 cm, yellow-green.",
            ),
        ),
        addenda=(
            "Later information: at pick-up {child}'s parent said, without being asked, that {child} "
            "had fallen off a scooter at the weekend. I did not discuss the bruises. Recorded as said.",
        ),
    ),
    DemoConcern(
        author="staff@example.org",
        children=(ChildRef("Year 4", 1),),
        categories=("Low-level welfare concern",),
        when=When(minutes_ago=40),
        location="Year 4 classroom, end of day",
        child_words="Can I stay here tonight? I'll be really good.",
        observations=(
            "At home time {child} asked several times to stay for after-school club, although not "
            "booked, and became tearful when told there was no space today. {child} said they did not "
            "want to go home yet but did not say why. Collected by their parent, who appeared calm."
        ),
    ),
    DemoConcern(
        author="staff2@example.org",
        children=(ChildRef("Year 5", 2),),
        categories=("Emotional abuse",),
        when=When(minutes_ago=80),
        location="Playground, Year 5 entrance",
        child_words="I'm stupid anyway, everyone says.",
        observations=(
            "At the classroom door at drop-off I heard {child}'s parent tell {child} loudly that they "
            "were useless and that nobody wanted them around. {child} went quiet, did not join the "
            "line-up game, and later in maths said they were stupid anyway. This is the second time I "
            "have heard the parent speak to {child} this way this half term."
        ),
    ),
    DemoConcern(
        author="deputy@example.org",
        children=(ChildRef("Year 2", 1),),
        categories=("Domestic abuse",),
        when=When(working_days_ago=1, clock="10:10", occurred_minutes=45),
        review=Review(
            by="dsl@example.org",
            after_minutes=50,
            decision=ReviewDecisionKind.REFER,
            rationale=(
                "Violence at home, seen and heard by the child: referred to children's social "
                "care; the mother spoken to."
            ),
            priority=Priority.HIGH,
        ),
        is_disclosure=True,
        location="Year 2 classroom, reading corner",
        child_words=(
            "Daddy threw the remote and it broke the telly and Mummy was crying. I hid under my bed with Teddy."
        ),
        observations=(
            "During a reading conference {child} told me, while choosing a book, that there had been "
            "shouting at home last night. I listened, did not ask leading questions, and told {child} "
            "I would need to tell someone whose job is to help keep children safe. {child} then asked "
            "to go back to the book corner. No visible injuries; {child} seemed tired but otherwise as usual."
        ),
    ),
    DemoConcern(
        author="dsl@example.org",
        children=(ChildRef("Year 2", 1),),
        categories=("Domestic abuse",),
        when=When(minutes_ago=10, occurred_minutes=40),
        location="Main gate and reception",
        immediate_danger=True,
        called_999=True,
        observations=(
            "An adult whom a court order prevents from having contact with {child} came to the main "
            "gate and asked to collect {child}. When refused, the adult began shouting and tried to "
            "follow a parent through the gate. {child} was kept inside with the class teacher and the "
            "office locked the front entrance. I called 999; police attended and the adult left with "
            "officers. {child}'s mother was called and collected {child} from reception."
        ),
        addenda=(
            "Police have given an incident reference; it is recorded on the referral entry. "
            "{child}'s mother has been given a copy of the school's collection arrangements.",
        ),
    ),
    DemoConcern(
        author="staff@example.org",
        children=(ChildRef("Year 6", 0),),
        categories=("Online safety",),
        when=When(working_days_ago=12, clock="11:40", occurred_minutes=30),
        review=Review(
            by="deputy@example.org",
            after_minutes=70,
            decision=ReviewDecisionKind.MONITOR,
            rationale=(
                "Grooming-type contact, no image or details sent: the parent told, the account "
                "reported and blocked, an online safety follow-up with the class."
            ),
            priority=Priority.MEDIUM,
            closed_after_days=5,
            outcome=Outcome.RESOLVED_IN_SCHOOL,
            closing_reason=(
                "No further contact in a week; the parent confirms the account is blocked and the"
                " child knows how to report."
            ),
        ),
        is_disclosure=True,
        location="Computing suite",
        child_words="He said he was 13 too, but he told me not to tell my mum about him.",
        observations=(
            "After a computing lesson on staying safe online, {child} told me that someone they met "
            "in an online game has been sending private messages, asked for a photo, and asked which "
            "school {child} goes to. {child} said they had not sent a photo or any details. I told "
            "{child} they had done exactly the right thing by telling me."
        ),
    ),
    DemoConcern(
        author="staff2@example.org",
        children=(ChildRef("Year 5", 0), ChildRef("Year 5", 3, ChildRole.INVOLVED)),
        categories=("Child-on-child abuse",),
        when=When(working_days_ago=15, clock="13:30", occurred_minutes=20),
        review=Review(
            by="deputy@example.org",
            after_minutes=40,
            decision=ReviewDecisionKind.MONITOR,
            rationale=(
                "The third push this half term: a behaviour plan for the other child, lunchtime "
                "supervision by the climbing frame, both families told."
            ),
            priority=Priority.LOW,
            closed_after_days=8,
            outcome=Outcome.RESOLVED_IN_SCHOOL,
            closing_reason="No further incidents in two weeks under the lunchtime plan.",
        ),
        location="Playground, by the climbing frame",
        child_words="{other} pushed me again and said nobody likes me.",
        observations=(
            "At lunchtime {child} came to me crying, with a graze on the right knee, and said {other} "
            "had pushed them over. Two lunchtime supervisors saw {child} on the ground but not the "
            "push. {child} says this is the third time this half term. First aid given; parent informed."
        ),
        marks=(mark(BodySide.FRONT, "44.00", "72.50", "Graze on right knee, about 3 cm, cleaned by first aider."),),
    ),
    DemoConcern(
        author="deputy@example.org",
        children=(ChildRef("Year 6", 1),),
        categories=("Self-harm", "Mental health"),
        when=When(working_days_ago=3, clock="13:50", occurred_minutes=30),
        review=Review(
            by="dsl@example.org",
            after_minutes=25,
            decision=ReviewDecisionKind.REFER,
            rationale=(
                "Self-harm with no suicidal intent expressed: a safety plan made with the child, "
                "the parent told the same day, referred to the school nurse and the mental health"
                " support team."
            ),
            priority=Priority.HIGH,
        ),
        is_disclosure=True,
        location="Art room",
        child_words="I do it when my head gets too loud.",
        observations=(
            "When {child} rolled up their sleeves in art I noticed several fresh, straight scratches "
            "on the inside of the left forearm. I spoke with {child} privately. {child} said they "
            "did it themselves and that nobody else had hurt them. The scratches were superficial and "
            "the first aider cleaned them. {child} agreed to talk to the DSL this afternoon."
        ),
        marks=(
            mark(
                BodySide.FRONT,
                "72.00",
                "42.00",
                "Several fresh, superficial straight scratches, inner forearm.",
            ),
        ),
    ),
    DemoConcern(
        author="staff@example.org",
        children=(ChildRef("Year 4", 3),),
        categories=("Sexual abuse",),
        when=When(working_days_ago=4, clock="10:55", occurred_minutes=20),
        review=Review(
            by="dsl@example.org",
            after_minutes=15,
            decision=ReviewDecisionKind.REFER,
            rationale=(
                "A disclosure of possible sexual abuse by a family member: referred to children's"
                " social care at once; parents not told, on their advice, until the strategy "
                "discussion."
            ),
            priority=Priority.URGENT,
        ),
        is_disclosure=True,
        location="Year 4 classroom, break time",
        child_words="He says it's our secret game, and if I tell Mummy I'll be in big trouble.",
        observations=(
            "After a PSHE lesson about safe and unsafe touch, {child} stayed behind at break and told "
            "me that an older cousin who stays at the weekend plays a secret game with them and has "
            "told them not to tell anyone. {child} did not describe the game and I did not ask. I told "
            "{child} they were right to tell me and that I would pass it on to someone who can help. "
            "I went straight to the DSL's office afterwards."
        ),
        addenda=(
            "Correction: {child} said the cousin stays most weekends, not every weekend. "
            "Everything else is as recorded.",
        ),
    ),
    DemoConcern(
        author="staff@example.org",
        children=(ChildRef("Year 1", 2),),
        categories=("Children missing education",),
        when=When(working_days_ago=1, clock="09:40", occurred_minutes=30),
        location="School office",
        observations=(
            "{child} is absent for the third school day running with no reason given. The office "
            "has called both contacts each morning with no answer, and a text message has not been "
            "returned. The school that {child}'s older sibling attends says the sibling is also absent."
        ),
    ),
    DemoConcern(
        author="staff2@example.org",
        children=(ChildRef("Reception", 0),),
        categories=("Low-level welfare concern",),
        when=When(working_days_ago=6, clock="09:05", occurred_minutes=35),
        review=Review(
            by="deputy@example.org",
            after_minutes=80,
            decision=ReviewDecisionKind.MONITOR,
            rationale=(
                "Hygiene and supervision worries, the second this week: spare clothes kept in "
                "class; the DSL meets the parent."
            ),
            priority=Priority.MEDIUM,
        ),
        location="Reception classroom",
        observations=(
            "{child} arrived in yesterday's clothes, which were damp, and with a strong smell of "
            "urine. We changed {child} into spare uniform and washed the clothes. This is the second "
            "time this week. {child} was brought to school by an older child rather than an adult."
        ),
    ),
    DemoConcern(
        author="staff2@example.org",
        children=(ChildRef("Reception", 0),),
        categories=("Neglect",),
        when=When(working_days_ago=8, clock="08:45", occurred_clock="12:10", occurred_days_before=2),
        review=Review(
            by="deputy@example.org",
            after_minutes=60,
            decision=ReviewDecisionKind.EARLY_HELP,
            rationale=(
                "Untreated dental pain: the family is helped to register with an NHS dentist; "
                "linked to the earlier welfare worries."
            ),
            priority=Priority.MEDIUM,
            closed_after_days=6,
            outcome=Outcome.EARLY_HELP,
            closing_reason="Registered with a dentist and treated; the early help plan holds the wider picture.",
        ),
        location="Dining hall",
        child_words="My tooth hurts all the time. Mummy says we can't go to the dentist.",
        delay_reason=(
            "I was covering the class for an absent colleague. I told the deputy DSL in person at "
            "the time and am now recording it in full."
        ),
        observations=(
            "At lunch {child} held their cheek and would not eat, saying a tooth hurt. A back tooth "
            "looked visibly decayed. {child} said it had hurt for a long time. The office phoned the "
            "parent, who said they had not been able to register with a dentist."
        ),
    ),
    DemoConcern(
        author="deputy@example.org",
        children=(ChildRef("Year 6", 2),),
        categories=("Mental health",),
        when=When(minutes_ago=100),
        claimed_by="dsl@example.org",
        location="Year 6 classroom",
        child_words="I can't sleep because I keep thinking Mum will get ill again.",
        observations=(
            "{child} has seemed withdrawn for about two weeks and today cried during maths. In a "
            "quiet space {child} said they lie awake worrying about their mother, who has been in "
            "hospital recently. {child} said home is fine and that an aunt is helping."
        ),
    ),
    DemoConcern(
        author="dsl@example.org",
        children=(ChildRef("Year 3", 3),),
        categories=("Private fostering",),
        when=When(working_days_ago=10, clock="12:40", occurred_minutes=20),
        review=Review(
            by="dsl@example.org",
            after_minutes=35,
            decision=ReviewDecisionKind.REFER,
            rationale=(
                "A private fostering arrangement of five weeks: the local authority must be told,"
                " and was notified today."
            ),
            priority=Priority.MEDIUM,
            closed_after_days=4,
            outcome=Outcome.SOCIAL_CARE,
            closing_reason="The local authority has been notified and is assessing the arrangement.",
        ),
        location="Dining hall",
        child_words="I live with Auntie Jo now because Mum is working in Spain.",
        observations=(
            "{child} mentioned at lunch that they have lived with 'Auntie Jo' for some weeks. From "
            "our records, the person who now collects {child} is not a listed contact. When the office "
            "asked, the adult explained she is a family friend, not a relative, and that {child} has "
            "stayed with her for about five weeks while {child}'s mother works abroad."
        ),
    ),
    DemoConcern(
        author="staff@example.org",
        children=(ChildRef("Year 1", 0),),
        categories=("Physical abuse",),
        when=When(working_days_ago=11, clock="09:10", occurred_minutes=25),
        review=Review(
            by="dsl@example.org",
            after_minutes=30,
            decision=ReviewDecisionKind.REFER,
            rationale=(
                "A mark to the face and a disclosure naming the father: children's social care "
                "consulted the same morning and a referral made."
            ),
            priority=Priority.HIGH,
        ),
        is_disclosure=True,
        location="Year 1 classroom, morning register",
        child_words="Daddy was cross because I spilled my drink.",
        observations=(
            "At register I saw a red mark on {child}'s left cheek, about 4 cm across, with no broken "
            "skin. I asked what had happened and {child} told me their father was cross about a "
            "spilled drink. I did not ask further. {child} joined in with the morning activities."
        ),
        marks=(mark(BodySide.FRONT, "54.00", "8.50", "Red mark on left cheek about 4 cm across, no broken skin."),),
    ),
    DemoConcern(
        author="staff2@example.org",
        children=(ChildRef("Year 4", 0),),
        categories=("Substance misuse",),
        when=When(working_days_ago=13, clock="08:30", occurred_clock="15:20"),
        review=Review(
            by="dsl@example.org",
            after_minutes=40,
            decision=ReviewDecisionKind.MONITOR,
            rationale=(
                "A parent intoxicated at collection who said he had driven: the DSL spoke to both"
                " parents; a collection plan agreed with the grandmother."
            ),
            priority=Priority.MEDIUM,
            closed_after_days=10,
            outcome=Outcome.NO_FURTHER_ACTION,
            closing_reason="The collection plan has held for two weeks with no further concerns.",
        ),
        location="Main gate, home time",
        delay_reason=(
            "I stayed with {child} until their grandmother arrived at 16:45 and then had to leave "
            "for a family commitment. I told the DSL in person at 16:50 and recorded it the next morning."
        ),
        observations=(
            "At home time {child}'s father came to collect {child}. He smelled strongly of alcohol, "
            "was unsteady on his feet and his speech was slurred. He said he had driven. The office "
            "manager spoke with him; he agreed to {child}'s grandmother collecting {child} and walked "
            "away. {child} waited with me in reception and seemed anxious."
        ),
    ),
    DemoConcern(
        author="deputy@example.org",
        children=(ChildRef("Year 5", 4), ChildRef("Year 5", 1, ChildRole.INVOLVED)),
        categories=("Online safety", "Child-on-child abuse"),
        when=When(minutes_ago=90),
        location="Year 5 classroom",
        child_words="{other} put my picture in the group with mean words on it.",
        observations=(
            "{child} showed me a screenshot on a parent's phone from a class group chat outside "
            "school. A photo of {child} had been edited with unkind words and shared; {child} says "
            "{other} made it. {child} was upset but calm when talking to me. The parent was with us "
            "and has kept the screenshot."
        ),
    ),
    DemoConcern(
        author="dsl@example.org",
        children=(ChildRef("Year 2", 3),),
        categories=("Other",),
        when=When(working_days_ago=16, clock="08:45", occurred_minutes=15),
        review=Review(
            by="dsl@example.org",
            after_minutes=20,
            decision=ReviewDecisionKind.NO_FURTHER_ACTION,
            rationale=(
                "Reported to the police by the parent; a general safety message sent to all "
                "parents. Nothing further for the school."
            ),
            priority=Priority.LOW,
            closed_after_days=1,
            outcome=Outcome.NO_FURTHER_ACTION,
            closing_reason="The police have the report; nothing links it to the child's home.",
        ),
        location="Main gate, drop-off",
        observations=(
            "{child}'s parent told me at the gate that yesterday evening, in the park near school, "
            "an adult {child} did not know offered {child} sweets and asked where they lived. The "
            "parent was nearby and the adult walked off. The parent has reported it to the police."
        ),
    ),
    DemoConcern(
        author="staff@example.org",
        children=(ChildRef("Year 1", 4),),
        categories=("Low-level welfare concern",),
        when=When(minutes_ago=70),
        location="Dining hall",
        observations=(
            "{child} asked for second helpings at lunch and then took bread from other children's "
            "plates. When I asked kindly, {child} said they were still hungry. {child}'s lunchbox "
            "contained a packet of crisps only, for the third day this week."
        ),
    ),
    DemoConcern(
        author="deputy@example.org",
        children=(ChildRef("Year 3", 2),),
        categories=("Physical abuse",),
        when=When(minutes_ago=110),
        location="Year 3 classroom",
        child_words="I did it on the oven.",
        observations=(
            "During handwriting I noticed a small round scabbed mark, about half a centimetre, on the "
            "back of {child}'s right hand. {child} said they had touched the oven. The mark looks "
            "a few days old and {child} did not seem to be in pain."
        ),
        marks=(mark(BodySide.BACK, "82.00", "50.00", "Small round scabbed mark, about 0.5 cm, back of right hand."),),
    ),
    DemoConcern(
        author="staff@example.org",
        children=(ChildRef("Reception", 3),),
        categories=("Low-level welfare concern",),
        when=When(minutes_ago=30),
        location="Reception classroom",
        observations=(
            "{child} has arrived after 9:30 on four days out of five this week and has missed phonics "
            "each time. The adult who brings {child} says mornings are difficult. {child} is often "
            "upset at separation and takes about 20 minutes to settle."
        ),
    ),
    DemoConcern(
        author="staff2@example.org",
        children=(ChildRef("Year 6", 3),),
        categories=("Emotional abuse", "Mental health"),
        when=When(working_days_ago=2, clock="08:40", occurred_clock="10:30"),
        review=Review(
            by="dsl@example.org",
            after_minutes=55,
            decision=ReviewDecisionKind.SPEAK_TO_CHILD,
            rationale=(
                "Punishment at home that frightens the child: the DSL speaks with the child, then"
                " with the parents about expectations."
            ),
            priority=Priority.MEDIUM,
        ),
        location="School library",
        child_words="If I get anything wrong at home I have to stay in my room all weekend.",
        delay_reason="I was on a first-aid course off site for the rest of that day; recorded on my return.",
        observations=(
            "{child} became very distressed after getting two answers wrong in a practice test and "
            "asked me not to tell their parents the score. {child} said they are kept in their room "
            "when they get things wrong. {child} calmed down after a short break in the library."
        ),
    ),
]

BIRCH_CONCERNS = [
    DemoConcern(
        author="staff.b@example.org",
        children=(ChildRef("Year 9", 0),),
        categories=("Radicalisation",),
        when=When(working_days_ago=7, clock="11:15", occurred_minutes=25),
        review=Review(
            by="dsl.b@example.org",
            after_minutes=60,
            decision=ReviewDecisionKind.REFER,
            rationale=(
                "Extremist views and nightly viewing of an extremist presenter: a Prevent "
                "referral made to the local authority."
            ),
            priority=Priority.HIGH,
        ),
        location="History classroom, room H4",
        child_words="People like that shouldn't be allowed to live here. I watch his videos every night.",
        observations=(
            "In a lesson on the Second World War, {child} praised an extremist group and said people "
            "of one faith should not be allowed in the country. {child} said they watch a particular "
            "online presenter every night and are in a chat group 'with people who get it'. I "
            "challenged the comments in line with school policy and the lesson continued."
        ),
    ),
    DemoConcern(
        author="staff.b@example.org",
        children=(ChildRef("Year 10", 0), ChildRef("Year 10", 2, ChildRole.INVOLVED)),
        categories=("Sexual violence and sexual harassment between children",),
        when=When(minutes_ago=95),
        is_disclosure=True,
        location="Form room, after registration",
        child_words="I told them to stop but they keep messaging, and now everyone's talking about me.",
        observations=(
            "{child} told me that {other} has been sending repeated messages with sexual comments, "
            "has asked for an image, and has started a rumour about {child} in the year-group chat. "
            "I did not view any images and did not ask {child} to show me any. I reassured {child} "
            "that they were right to tell me and that they were not in trouble."
        ),
    ),
    DemoConcern(
        author="dsl.b@example.org",
        children=(ChildRef("Year 10", 1),),
        categories=("Child criminal exploitation",),
        when=When(working_days_ago=4, clock="14:05", occurred_minutes=30),
        review=Review(
            by="dsl.b@example.org",
            after_minutes=30,
            decision=ReviewDecisionKind.REFER,
            rationale=(
                "Signs of criminal exploitation (cars, money, two phones, falling attendance): "
                "referred to children's social care and the exploitation team."
            ),
            priority=Priority.URGENT,
        ),
        location="Pastoral office",
        child_words="I just do jobs for a mate. It's easy money.",
        observations=(
            "Staff have twice this week seen {child} collected at the gate by older young people in "
            "a car. {child} has new, expensive trainers and two phones, and attendance has fallen to "
            "78% this half term. In a conversation about attendance {child} said they do 'jobs' for "
            "a friend and would not say more."
        ),
    ),
    DemoConcern(
        author="staff.b@example.org",
        children=(ChildRef("Year 11", 0),),
        categories=("Mental health", "Self-harm"),
        when=When(working_days_ago=2, clock="11:50", occurred_minutes=20),
        review=Review(
            by="dsl.b@example.org",
            after_minutes=10,
            decision=ReviewDecisionKind.REFER,
            rationale=(
                "Suicidal thoughts expressed: the parent called to collect, an urgent GP "
                "appointment, referred to CAMHS."
            ),
            priority=Priority.URGENT,
        ),
        is_disclosure=True,
        location="Exam hall corridor",
        child_words="Sometimes I think everyone would be better off without me.",
        observations=(
            "After a mock exam {child} was crying in the corridor. {child} told me they have not been "
            "sleeping, feel they are letting everyone down, and said the words above. I stayed with "
            "{child} and walked them to the pastoral office, where the DSL took over."
        ),
        addenda=(
            "Later information: {child}'s parent phoned back this afternoon and has booked an urgent "
            "GP appointment for tomorrow morning.",
        ),
    ),
    DemoConcern(
        author="staff.b@example.org",
        children=(ChildRef("Year 9", 2),),
        categories=("Substance misuse",),
        when=When(working_days_ago=12, clock="10:20", occurred_minutes=30),
        review=Review(
            by="dsl.b@example.org",
            after_minutes=45,
            decision=ReviewDecisionKind.MONITOR,
            rationale=(
                "A cannabis vape bought outside school: a substance misuse session, the parent "
                "told, the police community officer told of the seller."
            ),
            priority=Priority.MEDIUM,
            closed_after_days=7,
            outcome=Outcome.RESOLVED_IN_SCHOOL,
            closing_reason="The education sessions are done and there have been no further incidents.",
        ),
        location="Science block toilets",
        child_words="I got it off an older lad at the bus stop.",
        observations=(
            "During a routine check of the toilets a member of staff found {child} with a vape that "
            "smelled of cannabis. {child} handed it over without argument. {child} said it was bought "
            "outside school. The item has been sealed and given to the DSL."
        ),
    ),
    DemoConcern(
        author="dsl.b@example.org",
        children=(ChildRef("Year 11", 1),),
        categories=("Child sexual exploitation",),
        when=When(working_days_ago=5, clock="08:30", occurred_clock="16:30", occurred_days_before=2),
        review=Review(
            by="dsl.b@example.org",
            after_minutes=20,
            decision=ReviewDecisionKind.REFER,
            rationale=(
                "Signs of sexual exploitation by an adult: referred to children's social care; the police told."
            ),
            priority=Priority.URGENT,
        ),
        location="Telephone call from parent",
        delay_reason=(
            "The information came from a parent by phone after school and I was off site at a "
            "strategy meeting the next day. Recorded on my return."
        ),
        observations=(
            "{child}'s parent phoned to say {child} has a new 'boyfriend' they believe is about 20, "
            "who collects {child} in a car and buys gifts and phone credit. {child} has come home "
            "late three times this month and once did not come home until the morning."
        ),
    ),
    DemoConcern(
        author="staff.b@example.org",
        children=(ChildRef("Year 10", 3),),
        categories=("Serious violence",),
        when=When(minutes_ago=75),
        is_disclosure=True,
        location="Year 10 corridor",
        child_words="He said he's going to get me after school and he carries a blade.",
        observations=(
            "{child} told me that a young person from another school has threatened to hurt them on "
            "the way home today and is said to carry a knife. {child} was frightened and asked to be "
            "collected. I informed the DSL straight away; {child} is waiting in the pastoral office."
        ),
    ),
    DemoConcern(
        author="staff.b@example.org",
        children=(ChildRef("Year 7", 0),),
        categories=("Low-level welfare concern",),
        when=When(working_days_ago=18, clock="09:30", occurred_minutes=20),
        review=Review(
            by="dsl.b@example.org",
            after_minutes=90,
            decision=ReviewDecisionKind.EARLY_HELP,
            rationale=(
                "Signs of hardship: shoes from the uniform bank, free school meals checked, early help offered."
            ),
            priority=Priority.LOW,
            closed_after_days=5,
            outcome=Outcome.EARLY_HELP,
            closing_reason="The family accepted early help; shoes and uniform replaced.",
        ),
        location="Form room",
        observations=(
            "{child} has worn the same shoes with a split sole for three weeks and came in with wet "
            "socks today. {child} has asked two members of staff for food this week. {child} is "
            "friendly and engaged in lessons."
        ),
    ),
    DemoConcern(
        author="dsl.b@example.org",
        children=(ChildRef("Year 8", 1),),
        categories=("Domestic abuse",),
        when=When(working_days_ago=1, clock="08:55", occurred_minutes=60),
        review=Review(
            by="dsl.b@example.org",
            after_minutes=15,
            decision=ReviewDecisionKind.MONITOR,
            rationale=(
                "Operation Encompass: the child was present at an overnight incident; head of "
                "year check-ins this week, no disclosure so far."
            ),
            priority=Priority.MEDIUM,
        ),
        location="Operation Encompass notification",
        observations=(
            "Operation Encompass notification from police this morning: officers attended a domestic "
            "incident at {child}'s home overnight and {child} was present. No arrests. {child} arrived "
            "on time, seemed tired, and was offered a quiet check-in with their head of year."
        ),
    ),
    DemoConcern(
        author="staff.b@example.org",
        children=(ChildRef("Year 7", 2), ChildRef("Year 7", 3, ChildRole.WITNESS)),
        categories=("Online safety", "Child-on-child abuse"),
        when=When(minutes_ago=45),
        location="Library",
        child_words="They made a group just to laugh at me.",
        observations=(
            "{child} was upset in the library. {other} told me that some pupils in Year 7 have made a "
            "group chat to share jokes about {child} and showed me the group's name. {child} confirmed "
            "it and said it has been going on since half term."
        ),
    ),
]


class Command(BaseCommand):
    help = "Load fictional demo data (two schools, one account per role). Refuses in production."

    def handle(self, *args, **options) -> None:
        if not getattr(settings, "VIGIL_DEMO", False):
            raise CommandError(
                "Demo data is off here (VIGIL_DEMO is not true): demo data is never loaded in production."
            )
        if Site.objects.filter(code="oak").exists():
            self.stdout.write("Demo data already loaded; nothing to do.")
            return
        taken = User.objects.filter(email__in=[account.email for account in DEMO_ACCOUNTS])
        if taken.exists():
            raise CommandError(
                "Some demo accounts already exist but the demo sites do not: "
                + ", ".join(taken.values_list("email", flat=True))
                + ". Use a fresh database."
            )
        with transaction.atomic():
            counts = seed_all()
        self.print_summary(counts)

    def print_summary(self, counts: dict[str, int]) -> None:
        """Say what was created, where to sign in, and the demo accounts."""
        self.stdout.write(self.style.SUCCESS("Demo data loaded (all people and events are fictional)."))
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()))
        login = settings.VIGIL_BASE_URL.rstrip("/") + reverse("accounts:login")
        self.stdout.write(f"\nSign in at {login}\nEvery demo account's password is: {DEMO_PASSWORD}")
        self.stdout.write(
            "Then the code from an authenticator app set up with the account's secret below, or from\n"
            "`manage.py demo_totp <email>`, or a recovery code: demo-recovery-01 to demo-recovery-10 (each once).\n"
        )
        self.stdout.write(f"  {'Email':<22} {'Role':<14} {'Site':<24} Authenticator secret")
        for account in DEMO_ACCOUNTS:
            role = Role(account.role).label
            secret = DEMO_TOTP_SECRETS[account.email]
            self.stdout.write(f"  {account.email:<22} {role:<14} {SITES[account.site]:<24} {secret}")


def seed_all() -> dict[str, int]:
    """Create every demo row, each at the moment it happened; returns how many of each kind were made."""
    rng = random.Random(SEED)
    now, today = timezone.now(), timezone.localdate()
    with clock_at(now - SET_UP_BEFORE):
        sites = create_sites()
        users = create_accounts(sites, today)
        children = create_children(sites, rng, today)
    history = DemoHistory(now=now)
    hours = {code: WorkingHours.of(site) for code, site in sites.items()}
    made = plan_concerns(history, hours, users, children, OAK_CONCERNS + BIRCH_CONCERNS)
    history.play()
    concerns = list(made.values())
    escalations_sweep()  # what beat's first sweep would find now, if anything
    audit_seal()  # and its sealer: the demo starts with its whole ledger sealed
    demo = Concern.objects.filter(pk__in=[concern.pk for concern in concerns])
    return {
        "sites": len(sites),
        "accounts": len(users),
        "children": sum(len(by_year) for site in children.values() for by_year in site.values()),
        "concerns": len(concerns),
        "reviewed": demo.filter(reviewed_at__isnull=False).count(),
        "closed": demo.filter(status=ConcernStatus.CLOSED).count(),
        "awaiting review": demo.filter(reviewed_at__isnull=True).count(),
        "escalations": Escalation.objects.filter(concern__in=demo).count(),
        "addenda": sum(len(spec.addenda) for spec in OAK_CONCERNS + BIRCH_CONCERNS),
    }


def create_sites() -> dict[str, Site]:
    return {code: Site.objects.create(code=code, name=name) for code, name in SITES.items()}


def create_accounts(sites: dict[str, Site], today: date) -> dict[str, User]:
    """One user and one membership per demo account; the auditor's membership ends in a year."""
    users = {}
    for account in DEMO_ACCOUNTS:
        user = User.objects.create_user(account.email, DEMO_PASSWORD, full_name=account.full_name)
        ends_on = today + timedelta(days=AUDITOR_MEMBERSHIP_DAYS) if account.role == Role.AUDITOR else None
        Membership.objects.create(user=user, site=sites[account.site], role=account.role, ends_on=ends_on)
        # A documented authenticator secret and recovery codes (README), so the demo needs no phone.
        mfa_device_install(
            user=user, secret_base32=DEMO_TOTP_SECRETS[account.email], recovery_codes=DEMO_RECOVERY_CODES
        )
        users[account.email] = user
    return users


def create_children(sites: dict[str, Site], rng: random.Random, today: date) -> dict[str, dict[str, list[Child]]]:
    """Children by site and year group, each list in creation order (those who left included)."""
    children: dict[str, dict[str, list[Child]]] = {}
    for code, site in sites.items():
        used_names: set[tuple[str, str]] = set()
        children[code] = {year_group: [] for year_group in YEAR_GROUPS[code]}
        places = [
            (year_index, year_group, position)
            for year_index, year_group in enumerate(YEAR_GROUPS[code], start=_first_year_index(code))
            for position in range(CHILDREN_PER_YEAR)
        ]
        for serial, (year_index, year_group, position) in enumerate(places, start=1):
            first, last = _unused_name(rng, used_names)
            date_of_birth = _date_of_birth(rng, year_index, today)
            left_days = LEFT_ROLL.get((code, year_group, position))
            child = Child.objects.create(
                site=site,
                first_name=first,
                last_name=last,
                preferred_name=_preferred_name(rng, first),
                date_of_birth=date_of_birth,
                upn=_upn(code, date_of_birth, serial),
                year_group=year_group,
                left_on=today - timedelta(days=left_days) if left_days else None,
            )
            children[code][year_group].append(child)
    return children


def _first_year_index(code: str) -> int:
    """Reception is year index 0, Year 1 is 1, ... so a secondary starts at 7."""
    first = YEAR_GROUPS[code][0]
    return 0 if first == "Reception" else int(first.split()[1])


def _unused_name(rng: random.Random, used: set[tuple[str, str]]) -> tuple[str, str]:
    while True:
        name = (rng.choice(FIRST_NAMES), rng.choice(SURNAMES))
        if name not in used:
            used.add(name)
            return name


def _preferred_name(rng: random.Random, first_name: str) -> str:
    short = PREFERRED_NAMES.get(first_name, "")
    return short if short and rng.random() < 0.6 else ""


def _academic_year_start(today: date) -> int:
    """The calendar year in which the current school year (1 September to 31 August) began."""
    return today.year if today.month >= 9 else today.year - 1


def _date_of_birth(rng: random.Random, year_index: int, today: date) -> date:
    """A birthday in the English cohort for the year group: Reception children turn 5 this school year."""
    born_from = date(_academic_year_start(today) - 5 - year_index, 9, 1)
    born_to = date(born_from.year + 1, 8, 31)
    return born_from + timedelta(days=rng.randrange((born_to - born_from).days + 1))


def _upn(code: str, date_of_birth: date, serial: int) -> str:
    """A UPN in the DfE shape: check letter, LA code (999: unused), establishment, year, serial."""
    entry_year = (date_of_birth.year + (5 if date_of_birth.month >= 9 else 4)) % 100
    digits = f"999{ESTABLISHMENT[code]}{entry_year:02d}{serial:03d}"
    check = sum(int(digit) * weight for digit, weight in zip(digits, range(2, 14), strict=True)) % 23
    return UPN_CHECK_LETTERS[check] + digits


def plan_concerns(
    history: DemoHistory,
    hours: dict[str, WorkingHours],
    users: dict[str, User],
    children: dict[str, dict[str, list[Child]]],
    specs: list[DemoConcern],
) -> dict[int, Concern]:
    """Put each demo concern's steps in the history: its submission through the real recording
    service as its author would, its addenda, its claim, review and closing as the DSL team would,
    and the sweeps that escalate it if nobody reviews it in time. Returns the concerns by their
    place in `specs`, filled in as the history is played."""
    categories = {category.name: category for category in Category.objects.all()}
    made: dict[int, Concern] = {}
    for number, spec in enumerate(specs):
        author = users[spec.author]
        site_code = _site_code_of(author)
        site_hours = hours[site_code]
        links = [ChildInConcern(child=_pick(children[site_code], ref), role=ref.role) for ref in spec.children]
        names = _names(links)
        recorded = history.recorded_at(spec.when, site_hours)
        submission = _submission(spec, author, links, [_category(categories, name) for name in spec.categories], names)
        submission["occurred_at"] = history.occurred_at(spec.when, recorded, site_hours)
        concern = _Made(made, number)
        history.add(recorded, SUBMIT, lambda c=concern, submission=submission: c.submit(submission))
        for position, text in enumerate(spec.addenda):
            at = history.addendum_at(recorded, position, site_hours)
            filled = text.format(**names)
            history.add(at, ADDENDUM, lambda a=author, c=concern, t=filled: _addendum(a, c, t))
        if spec.claimed_by:
            claimer = users[spec.claimed_by]
            history.add(history.claimed_at(recorded, site_hours), CLAIM, lambda u=claimer, c=concern: _claim(u, c))
        if spec.review:
            _plan_review(history, site_hours, recorded, spec.review, users[spec.review.by], concern)
        for at in history.sweeps_for(recorded, immediate_danger=spec.immediate_danger, hours=site_hours):
            history.add(at, SWEEP, escalations_sweep)
    return made


def _submission(spec: DemoConcern, author: User, links, categories, names: dict[str, str]) -> dict:
    return {
        "author": author,
        "submission_key": uuid.uuid4(),
        "children": links,
        "categories": categories,
        "is_disclosure": spec.is_disclosure,
        "child_words": spec.child_words.format(**names),
        "observations": spec.observations.format(**names),
        "location": spec.location,
        "immediate_danger": spec.immediate_danger,
        "called_999": spec.called_999,
        "delay_reason": spec.delay_reason.format(**names),
        "body_marks": list(spec.marks),
        "named_recipients": [],
        "files": [],
    }


@dataclass(frozen=True)
class _Made:
    """A concern the history submits at its moment, for the steps that come after it."""

    made: dict[int, Concern]
    number: int

    def submit(self, submission: dict) -> None:
        self.made[self.number], _created = concern_submit(**submission)

    def get(self) -> Concern:
        return self.made[self.number]


def _plan_review(history: DemoHistory, hours: WorkingHours, recorded, review: Review, dsl: User, concern: _Made):
    reviewed = history.reviewed_at(recorded, review, hours)
    claimed = max(reviewed - CLAIMED_BEFORE_REVIEW, recorded + timedelta(minutes=1))
    history.add(claimed, CLAIM, lambda: _claim(dsl, concern))
    history.add(
        reviewed,
        REVIEW,
        lambda: concern_review(
            user=dsl,
            concern=concern.get(),
            decision=review.decision,
            rationale=review.rationale,
            priority=review.priority,
        ),
    )
    if review.closed_after_days:
        closed = history.closed_at(reviewed, review, hours)
        history.add(
            closed,
            CLOSE,
            lambda: concern_close(
                user=dsl, concern=concern.get(), outcome=review.outcome, reason=review.closing_reason
            ),
        )


def _claim(user: User, concern: _Made) -> None:
    concern_claim(user=user, concern=concern.get())


def _addendum(author: User, concern: _Made, text: str) -> None:
    addendum_add(author=author, concern=concern.get(), text=text)


def _site_code_of(user: User) -> str:
    return Membership.objects.filter(user=user).values_list("site__code", flat=True).get()


def _pick(by_year: dict[str, list[Child]], ref: ChildRef) -> Child:
    on_roll = [child for child in by_year[ref.year_group] if child.left_on is None]
    return on_roll[ref.index]


def _names(links: list[ChildInConcern]) -> dict[str, str]:
    """What `{child}` and `{other}` stand for: the first name each child goes by."""
    first_names = [link.child.preferred_name or link.child.first_name for link in links]
    return {"child": first_names[0], "other": first_names[1] if len(first_names) > 1 else ""}


def _category(categories: dict[str, Category], name: str) -> Category:
    try:
        return categories[name]
    except KeyError:
        raise CommandError(f"Category {name!r} is missing; run migrations first.") from None
