"""The workspace's own writes: its drafts, ticket-page heartbeats and shortcut settings, and
the composer's send (which hands every ticket change to ``sampark.tickets.services``)."""
