"""itsmctl: IT service management as code."""

__version__ = "0.1.0"
