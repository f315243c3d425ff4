"""The local GitHub server fixture (tests/github/fake.py) for the GitHub tests."""

from tests.github.fake import github  # noqa: F401  (a fixture)
