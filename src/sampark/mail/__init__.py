"""The email channel: mailboxes, reading and threading mail, and sending replies."""
