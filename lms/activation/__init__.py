"""Activation letters for people without a work email, and /activate where they use them."""
