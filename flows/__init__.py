"""Prefect flows: thin shells that sequence the engine, the store and the outbox."""
