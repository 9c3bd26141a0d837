"""A realistic, invented local authority for demonstrations and benchmarks."""

from demo.generate import DEMO_LA_CODE, SCALES, generate_demo_la, generate_open_cases
from demo.model import Caseload, DemoCase, DemoLA, Organisation, StaffMember, Team

__all__ = [
    "DEMO_LA_CODE",
    "SCALES",
    "Caseload",
    "DemoCase",
    "DemoLA",
    "Organisation",
    "StaffMember",
    "Team",
    "generate_demo_la",
    "generate_open_cases",
]
