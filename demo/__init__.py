"""Synthetic data for demos, tests and benchmarks: a county that exists nowhere.

Every name is generated, and every ID number has a valid check digit under area
code 429901 (a Hubei prefecture number no real place uses), so none belongs to anyone.
"""
