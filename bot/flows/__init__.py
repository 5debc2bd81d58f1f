"""Scripted dialogues: flow definitions from content/flows and the pure engine that runs them."""
