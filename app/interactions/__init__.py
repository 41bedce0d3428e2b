"""Interactions: one record per call, with its timeline (R1: every call is remembered)."""
