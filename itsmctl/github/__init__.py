"""GitHub: who the catalog's parties are on GitHub, and the one REST client (`client.py`).

`client.py` is the only network code of itsmctl; everything else here is pure.
"""
