"""Allow `python -m itsmctl`."""

from itsmctl.cli import main

if __name__ == "__main__":
    main()
