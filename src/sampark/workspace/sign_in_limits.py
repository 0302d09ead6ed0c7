"""How many failed sign-ins an account and a client address may have, and how many password
reset emails an address may ask for, in one place.

The counts live in the shared rate-limit store (:mod:`sampark.api.ratelimit`: the database, or
Redis when configured), so a limit holds across every server process, as the API's do. The
views and forms only ever call these functions.
"""

from django.conf import settings

from sampark.api import ratelimit


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _limits(email: str, address: str) -> list[tuple[str, str, tuple[int, int] | None]]:
    return [
        (
            "sign-in-account",
            email,
            ratelimit.parse_rate(settings.SAMPARK_SIGN_IN_FAILURES_PER_ACCOUNT),
        ),
        (
            "sign-in-address",
            address,
            ratelimit.parse_rate(settings.SAMPARK_SIGN_IN_FAILURES_PER_ADDRESS),
        ),
    ]


def sign_in_refused(email: str, address: str) -> bool:
    """Whether this account or this address has used up its failed sign-ins for now. Checked
    before the password is, so that guessing stops costing us a password hash."""
    return any(
        limit is not None and ratelimit.seen(scope, ident, limit) >= limit[0]
        for scope, ident, limit in _limits(email, address)
    )


def count_failed_sign_in(email: str, address: str) -> None:
    for scope, ident, limit in _limits(email, address):
        ratelimit.hit(scope, ident, limit)


def password_reset_allowed(address: str) -> bool:
    """Counts one password reset request from this address; False once it asked too often,
    so that nobody can fill an agent's inbox with reset emails."""
    limit = ratelimit.parse_rate(settings.SAMPARK_PASSWORD_RESETS_PER_ADDRESS)
    return ratelimit.hit("password-reset", address, limit)
