"""The indicator system in force, as the desk names its indicators."""
from server.surveys.catalog import current_system_code, form_registry


def indicator_system(code: str | None = None):
    return form_registry().system(code or current_system_code())


def indicator_list(code: str | None = None) -> list[dict]:
    """[{number, name, short_name, responsible_unit, …}] in number order."""
    return sorted(indicator_system(code).indicators, key=lambda i: i["number"])


def short_names(code: str | None = None) -> dict[int, str]:
    return {i["number"]: i["short_name"] for i in indicator_list(code)}
