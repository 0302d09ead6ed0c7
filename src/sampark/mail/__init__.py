"""The email channel: mailboxes, inbound mail (IMAP, an SMTP/LMTP listener, a pipe) into
tickets, and replies out by SMTP."""
