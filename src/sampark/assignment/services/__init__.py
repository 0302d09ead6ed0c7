"""The assignment engine's services, one module per concern:

- ``intake``: who a new ticket goes to (the SPOC first, checking presence, capacity and leave,
  then the group's strategy), and the rows that decision leaves (a wait for a busy SPOC, a
  ticket a delegate took during a leave); called by ``tickets.services.open_ticket``;
- ``taking``: "Take next", and the tickets whose wait for their SPOC is over;
- ``leave``: recording leave, handing tickets over and back;
- ``strategy``: each group's strategy.

Import the module you need (``from sampark.assignment.services import leave``): ``intake`` is
imported by the ticket services, which the other modules use, so this package imports none.
"""
