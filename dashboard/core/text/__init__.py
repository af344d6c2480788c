"""Untrusted text made safe to show or log: inert, secrets masked, log lines."""
