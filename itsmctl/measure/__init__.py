"""Measure the catalog's promises against operational records (docs/measure.md).

Core library: nothing here prints, exits or imports click; `itsmctl measure` is a thin
command over it.
"""
