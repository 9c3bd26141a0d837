"""Invented staff for the demo local authority: names, teams, roles, example emails.

Names are random pairings of common first names and surnames, so they are plausible but
belong to nobody in particular. Addresses use the reserved ``example.org`` domain
(RFC 2606): nothing generated here can ever reach a real mailbox.
"""

from __future__ import annotations

import random

from demo.model import Organisation, Role, StaffMember, Team

FIRST_NAMES = (
    "Aisha", "Amelia", "Amir", "Anita", "Ben", "Bethan", "Callum", "Chloe", "Chidi", "Daniel",
    "Deborah", "Eilidh", "Emma", "Fatima", "Gareth", "Grace", "Hannah", "Harpreet", "Imran",
    "Isla", "Jack", "Jasmine", "Joanne", "Kamal", "Karen", "Kwame", "Laura", "Leah", "Lewis",
    "Lucy", "Mandeep", "Marcus", "Maria", "Mohammed", "Nadia", "Naomi", "Neil", "Niamh",
    "Oliver", "Olivia", "Patrick", "Priya", "Rachel", "Rhys", "Rosa", "Ruth", "Sadia", "Samuel",
    "Sarah", "Sean", "Shauna", "Simon", "Sophie", "Tariq", "Tom", "Una", "Vikram", "Yasmin",
    "Zainab", "Zoe",
)
SURNAMES = (
    "Adeyemi", "Ahmed", "Akhtar", "Bailey", "Begum", "Bennett", "Brown", "Campbell", "Chen",
    "Clarke", "Collins", "Cooper", "Davies", "Edwards", "Evans", "Fletcher", "Francis", "Gill",
    "Green", "Hall", "Harris", "Hughes", "Hussain", "Jackson", "James", "Johnson", "Jones",
    "Kaur", "Kelly", "Khan", "Lewis", "Martin", "Mensah", "Mitchell", "Morgan", "Murphy",
    "Nowak", "Okafor", "O'Brien", "Owen", "Patel", "Phillips", "Price", "Rahman", "Roberts",
    "Robinson", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Turner", "Walker", "Ward",
    "Watson", "White", "Williams", "Wilson", "Wood", "Wright",
)
# The assessment team takes new requests; area teams hold plans under review.
TEAM_NAMES = (
    ("assessment", "Assessment Team"),
    ("north", "North Area Team"),
    ("south", "South Area Team"),
    ("east", "East Area Team"),
    ("west", "West Area Team"),
    ("post16", "Post-16 and Preparing for Adulthood Team"),
)
EMAIL_DOMAIN = "example.org"


def build_organisation(
    rng: random.Random, *, la_code: str, la_name: str, teams: int, caseworkers: int
) -> Organisation:
    """A head of service, ``teams`` teams each with a manager, and ``caseworkers`` spread
    over them (the assessment team first, then the area teams in turn)."""
    if not 2 <= teams <= len(TEAM_NAMES):
        raise ValueError(f"teams must be between 2 and {len(TEAM_NAMES)}, not {teams}")
    if caseworkers < teams:
        raise ValueError(f"need at least one caseworker per team ({teams}), not {caseworkers}")
    names = _NamePool(rng, la_name)
    head = names.member("head_of_service", None)
    team_list: list[Team] = []
    staff = [head]
    chosen = (TEAM_NAMES[0], *TEAM_NAMES[1 : teams - 1], TEAM_NAMES[-1])
    for code, name in chosen:
        manager = names.member("team_manager", code)
        staff.append(manager)
        team_list.append(Team(code=code, name=name, manager=manager.username))
    for i in range(caseworkers):
        staff.append(names.member("caseworker", chosen[i % teams][0]))
    return Organisation(
        la_code=la_code, la_name=la_name, head_of_service=head, teams=tuple(team_list),
        staff=tuple(staff),
    )


class _NamePool:
    """Draws distinct invented names and derives usernames and addresses from them."""

    def __init__(self, rng: random.Random, la_name: str) -> None:
        self._rng = rng
        # "Staffordshire County Council" -> staffordshire.example.org
        first_word = la_name.split()[0] if la_name.split() else ""
        self._slug = "".join(ch for ch in first_word.lower() if ch.isalnum()) or "demo"
        self._taken: set[str] = set()

    def member(self, role: Role, team: str | None) -> StaffMember:
        first, last = self._rng.choice(FIRST_NAMES), self._rng.choice(SURNAMES)
        base = f"{first}.{last}".lower().replace("'", "")
        username, n = base, 1
        while username in self._taken:
            # A second "Sarah Khan" keeps her name and gets a numbered username.
            n += 1
            username = f"{base}{n}"
        self._taken.add(username)
        return StaffMember(
            username=username,
            name=f"{first} {last}",
            email=f"{username}@{self._slug}.{EMAIL_DOMAIN}",
            role=role,
            team=team,
        )
