"""Creation is idempotent by a client-generated id: a replay gets the stored result; the same id
with a different body is a conflict that names what differs."""


def differing_fields(stored: dict, incoming: dict) -> list[str]:
    """The names of the fields whose values differ, in the incoming payload's order."""
    return [name for name in incoming if stored.get(name) != incoming[name]]
