"""``python -m labgen``: the same command line as ``labgen``."""

from labgen.cli import run

if __name__ == "__main__":
    run()
