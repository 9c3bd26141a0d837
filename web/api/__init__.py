"""The JSON API for other council systems, under ``/api/`` (docs/openapi.json)."""
