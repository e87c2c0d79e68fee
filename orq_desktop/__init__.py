"""Orq Desktop: a native desktop playground for the Orq AI Router."""

__version__ = "0.1.0"
