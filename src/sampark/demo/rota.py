"""Who is away and how each group hands out its work, as a running help desk has it: the field
team hands its tickets out by least load and waits a while for a busy SPOC, billing takes
turns, one front-line agent is on leave this week (their tickets handed to Ankit) and a field
engineer has leave planned."""

from __future__ import annotations

import datetime as dt

from sampark.assignment.services import intake, leave, strategy

from .cast import Cast


def set_rota(cast: Cast) -> None:
    """The groups' strategies and the team's leave, after the demo's history has played."""
    strategy.save_strategy(
        cast.groups["field"], method="least_loaded", spoc_wait_minutes=30, match_language=True
    )
    strategy.save_strategy(cast.groups["billing"], method="round_robin", spoc_wait_minutes=0)
    today = leave.today()
    supervisor = cast.agents["meenakshi"]
    # The front-line agent with the most open work is away this week (not Ankit, whose
    # workspace the screenshots show: he stands in).
    away = max(
        (cast.agents[key] for key in ("sneha", "rahul", "imran", "kavita", "pooja")),
        key=lambda user: (intake.load_of([user.pk])[user.pk], -user.pk),
    )
    leave.record_leave(
        away,
        delegate=cast.agents["ankit"],
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=2),
        actor=supervisor,
        note=(
            "Away for a family wedding. Call each customer before 11 every morning with "
            "news; parts on order are noted on each ticket."
        ),
    )
    leave.record_leave(
        cast.agents["ramesh"],
        delegate=cast.agents["suresh"],
        starts_on=today + dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=11),
        actor=cast.agents["ramesh"],
        return_customers=True,
        note="UPS अनुबंध वाले ग्राहकों को सुबह 10 बजे से पहले फ़ोन करें।",
    )
