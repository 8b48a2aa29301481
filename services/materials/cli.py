"""Materials admin CLI."""
import sys

from services.common import cli


def build():
    p, sub = cli.parser("materials", "Materials service admin.")
    return p


def main(argv=None):
    return cli.run(build(), argv)


if __name__ == "__main__":
    sys.exit(main())
