"""Typed constructs that the stacks compose."""
