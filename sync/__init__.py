"""The sync protocol's rules (idempotency, results) and the Python client. No Flask here."""
