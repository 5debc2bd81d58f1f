"""Use cases between handlers and storage: run a flow, save a profile, deliver a prompt."""
