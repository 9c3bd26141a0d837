"""Escalation and digest emails: notices, rendering, transports and the outbox."""
