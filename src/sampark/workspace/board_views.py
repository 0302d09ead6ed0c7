"""The coordinator board's page: for supervisors and admins; its numbers alone for htmx, which
asks for them again every 30 seconds while the tab is in view."""

from django.shortcuts import render

from sampark.tickets import access

from . import board as board_queries
from .views import agent_required


@agent_required
def board(request, agent):
    if not agent.is_supervisor:
        return render(request, "workspace/board/refused.html", {"agent": agent}, status=403)
    access.attach_scope(request.user)  # once for the board, the sidebar's counts and views
    context = {"agent": agent, "board": board_queries.board(request.user, agent.time_zone)}
    template = "workspace/board/board.html"
    return render(request, f"{template}#numbers" if request.htmx else template, context)
