"""Dead letters: events whose handler failed every try (``services.common.inbox``).

    python -m services.common.deadletters list --service clients
    python -m services.common.deadletters replay --service clients [--event-id ID ...]

Asked of the running service with the operator's admin token, like the other admin CLIs. A
replayed event gets a fresh set of tries at once; fix the cause first (the error is listed)."""
import argparse
import sys

from . import cli

SERVICES = ("attendance", "reception", "clients", "materials")


def list_letters(args):
    letters = cli.ask_as_admin(args.service, "dead_letters")
    if not letters:
        print(f"{args.service}: no dead letters")
        return 0
    print(f"{args.service}: {len(letters)} dead letter(s)")
    for d in letters:
        print(f"{d['event_id']}  {d['event_type']:<24} {d['handler']:<40} "
              f"tries {d['attempts']}  since {d['first_failed_at']}\n    {d['last_error']}")
    return 0


def replay(args):
    answer = cli.ask_as_admin(args.service, "replay_dead_letters", args.event_id or None)
    print(f"{args.service}: {answer['replayed']} dead letter(s) replayed")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m services.common.deadletters",
                                description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, func, text in (("list", list_letters, "list a service's dead letters"),
                             ("replay", replay, "try dead letters again (all, or --event-id)")):
        c = sub.add_parser(name, help=text, description=text)
        c.add_argument("--service", required=True, choices=SERVICES)
        if name == "replay":
            c.add_argument("--event-id", action="append", help="only this event (repeatable)")
        c.set_defaults(func=func)
    return cli.run(p, argv)


if __name__ == "__main__":
    sys.exit(main())
