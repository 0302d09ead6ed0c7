"""The ``sampark`` command: serve, demo, createadmin, token create, and Django's own commands.

sampark serve [--host H] [--port P] [--workers N]   migrate, then serve over ASGI (uvicorn)
sampark demo [--if-empty]                           load the bilingual demo data
sampark createadmin --email E --password P          create (or reset) an administrator
sampark token create --email E [--name N]           print a new API token on the last line
sampark counts rebuild                              count the board's active tickets again
sampark <django command> ...                        e.g. migrate, shell, dbshell
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    if not args.no_migrate:
        _migrate()
    from sampark.serving.server import serve

    if args.worker:
        from sampark.serving.worker import Worker

        Worker().start_thread()

    base = f"http://{args.host}:{args.port}"
    print(f"Sampark is serving on {base}/")
    print(f"  agent workspace  {base}/")
    print(f"  admin            {base}/admin/")
    print(f"  API docs         {base}/api/v1/docs")
    serve(
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    if not args.no_migrate:
        _migrate()
    import logging
    import signal

    from sampark.serving.worker import Worker

    # Django's logging is configured by now; make the worker's own lines visible.
    logging.getLogger("sampark").setLevel(logging.INFO)
    worker = Worker(poll_seconds=args.poll, sweep_seconds=args.sweep_seconds)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: worker.stop())
    if args.once:
        worker.run_tasks()
        result = worker.sweep()
        print(
            f"swept {result.tickets} tickets: {result.warnings} warnings, "
            f"{result.breaches} breaches, {result.reminders} reminders"
        )
        return 0
    worker.run_forever()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate()
    from sampark.core.errors import DomainError
    from sampark.demo import load_demo

    try:
        summary = load_demo(if_empty=args.if_empty, tickets=args.tickets, seed=args.seed)
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    print(summary)
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate()
    from sampark.core.errors import DomainError
    from sampark.team.services import create_admin  # lint: allow Django is set up first

    try:
        profile = create_admin(email=args.email, password=args.password, name=args.name)
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    print(f"Administrator {profile.user.email} is ready.")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate()
    from django.contrib.auth import get_user_model

    from sampark.team.services import issue_token  # lint: allow Django is set up first

    user = get_user_model().objects.filter(email__iexact=args.email.strip()).first()
    if user is None or not hasattr(user, "agent"):
        print(f"error: no agent with email {args.email}", file=sys.stderr)
        return 2
    token, secret = issue_token(user, name=args.name)
    print(f"Created API token {token.prefix}… for {user.email}. It is shown only once:")
    print(secret)
    return 0


def cmd_counts_rebuild(args: argparse.Namespace) -> int:
    _setup_django()
    from sampark.tickets import active_counts  # lint: allow Django is set up first

    rows = active_counts.rebuild()
    total = sum(row[-1] for row in active_counts.counted())
    print(f"Counted {total} active tickets again, in {rows} rows.")
    return 0


def default_workers() -> int:
    """``$SAMPARK_WORKERS``, else one server process per core this process may run on, at
    least 2 (each runs one view at a time; see sampark.serving.asgi) and at most 8."""
    if configured := os.environ.get("SAMPARK_WORKERS", "").strip():
        return int(configured)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return min(max(cores, 2), 8)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sampark", description="Sampark help desk")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="migrate the database, then serve HTTP")
    serve.add_argument("--host", default=os.environ.get("SAMPARK_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("SAMPARK_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=default_workers())
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--no-access-log", dest="access_log", action="store_false")
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate first")
    serve.add_argument(
        "--no-worker",
        dest="worker",
        action="store_false",
        help="do not run the embedded background worker (run `sampark worker` instead)",
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run background tasks and the SLA sweeps")
    worker.add_argument("--poll", type=float, default=1.0, help="seconds between task polls")
    worker.add_argument(
        "--sweep-seconds",
        type=float,
        default=None,
        help="seconds between SLA sweeps (default SAMPARK_SWEEP_SECONDS)",
    )
    worker.add_argument("--once", action="store_true", help="run ready tasks and one sweep")
    worker.add_argument("--no-migrate", action="store_true", help="do not migrate first")
    worker.set_defaults(func=cmd_worker)

    demo = sub.add_parser("demo", help="load bilingual demo data")
    demo.add_argument("--if-empty", action="store_true", help="only when there are no tickets")
    demo.add_argument("--tickets", type=int, default=300)
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(func=cmd_demo)

    admin = sub.add_parser("createadmin", help="create or reset an administrator")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", required=True)
    admin.add_argument("--name", default="")
    admin.set_defaults(func=cmd_createadmin)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="create a token for an agent")
    create.add_argument("--email", required=True)
    create.add_argument("--name", default="cli")
    create.set_defaults(func=cmd_token_create)

    counts = sub.add_parser("counts", help="the rollup of active tickets the board reads")
    counts_sub = counts.add_subparsers(dest="counts_command", required=True)
    rebuild = counts_sub.add_parser(
        "rebuild", help="count the active tickets again from the tickets themselves"
    )
    rebuild.set_defaults(func=cmd_counts_rebuild)

    from sampark.mail.cli import add_commands as add_mail_commands

    add_mail_commands(sub, _setup_django)
    return parser


OWN_COMMANDS = {"serve", "worker", "demo", "createadmin", "token", "counts", "mail"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in OWN_COMMANDS and not argv[0].startswith("-"):
        _setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["sampark", *argv])
        return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
