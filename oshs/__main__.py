"""`python -m oshs` runs the command-line tool."""

from oshs.cli import main

if __name__ == "__main__":
    main()
