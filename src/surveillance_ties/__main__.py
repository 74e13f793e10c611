"""``python -m surveillance_ties``: the same as the ``surveillance-ties`` command."""

from surveillance_ties.cli import main

if __name__ == "__main__":
    main(prog_name="surveillance-ties")
