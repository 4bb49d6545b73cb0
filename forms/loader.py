"""Reading and validating system and form files.

A system directory holds system.json and one JSON file per form version (any other *.json name);
forms_root holds one such directory per survey round. Every problem raises FormDefinitionError naming the
file and the field.
"""
import json
from collections import defaultdict
from pathlib import Path

from forms.consistency import form_problems
from forms.errors import FormDefinitionError
from forms.registry import Form, Registry, System
from forms.schema import FormSchema, SystemSchema, schema_problems

SYSTEM_FILE = "system.json"
BUILDINGS = "栋"  # the unit of an indicator that counts buildings; any other unit needs a measure


def load_system(directory):
    """A Registry holding the one system in `directory` and its forms. Its carry-over from a previous
    system (previous, continues, discontinued) is checked only by load_all, which loads both."""
    return _registry([_read_system(Path(directory))], carry_over=False)


def load_all(forms_root):
    """A Registry holding every system directory (a folder with a system.json) under forms_root."""
    root = Path(forms_root)
    if not root.is_dir():
        _fail(root, "", "not a directory")
    directories = sorted(p for p in root.iterdir() if (p / SYSTEM_FILE).is_file())
    return _registry([_read_system(directory) for directory in directories])


def _registry(loaded, carry_over=True):
    systems, forms, first_file = {}, [], {}
    for system, system_forms in loaded:
        if system.code in systems:
            _fail(system.path, "code", f"system {system.code!r} is also defined in {systems[system.code].path}")
        systems[system.code] = system
        for form in system_forms:
            if form.id in first_file and first_file[form.id].system != form.system:
                _fail(form.path, "id", f"form id {form.id!r} is already used in {first_file[form.id].path}")
            first_file.setdefault(form.id, form)
        forms.extend(system_forms)
    for system in systems.values() if carry_over else ():
        _check_carry_over(system, systems)
    return Registry(systems.values(), forms)


def _check_carry_over(system, systems):
    """Every indicator of the previous system is continued by some indicator or discontinued, once."""
    if system.previous is None:
        return
    previous = systems.get(system.previous)
    if previous is None:
        _fail(system.path, "previous", f"system {system.previous!r} is not loaded")
    known = {indicator["number"]: indicator["name"] for indicator in previous.indicators}
    continued = set()
    for i, indicator in enumerate(system.indicators):
        for j, number in enumerate(indicator.get("continues", [])):
            if number not in known:
                _fail(system.path, f"indicators[{i}].continues[{j}]", f"system {previous.code!r} has no indicator {number}")
            continued.add(number)
    dropped = set()
    for i, entry in enumerate(system.discontinued):
        where = f"discontinued[{i}].number"
        if entry["number"] not in known:
            _fail(system.path, where, f"system {previous.code!r} has no indicator {entry['number']}")
        if entry["number"] in continued or entry["number"] in dropped:
            _fail(system.path, where, f"indicator {entry['number']} of {previous.code!r} is also continued or listed twice")
        dropped.add(entry["number"])
    for number, name in known.items():
        if number not in continued and number not in dropped:
            _fail(system.path, "discontinued", f"indicator {number} of {previous.code!r} ({name}) is neither "
                  "continued by an indicator (continues) nor discontinued here")


def _read_system(directory):
    path = directory / SYSTEM_FILE
    document = _read_json(path)
    _raise_problems(path, schema_problems(SystemSchema(), document))
    system = System(document, path)
    forms = [_read_form(p, system.settings) for p in sorted(directory.glob("*.json")) if p.name != SYSTEM_FILE]
    _check_forms_fit_system(system, forms)
    _check_indicators_covered(system, forms)
    _check_measures(system, forms)
    _check_follow_ups_appraised(system, forms)
    return system, forms


def _read_form(path, settings=()):
    document = _read_json(path)
    _raise_problems(path, schema_problems(FormSchema(), document))
    _raise_problems(path, form_problems(document, settings))
    return Form(document, path)


def _check_measures(system, forms):
    """An indicator counted in another unit than 栋 (e.g. 套) says what each form sums: its `measure`."""
    units = {indicator["number"]: indicator["unit"] for indicator in system.indicators}
    for form in forms:
        unit = units[form.indicator]
        if unit != BUILDINGS and form.measure is None:
            _fail(form.path, "measure", f"indicator {form.indicator} is counted in {unit}, not {BUILDINGS}: "
                  "the form needs a measure (what one building adds)")
        if unit == BUILDINGS and form.measure is not None:
            _fail(form.path, "measure", f"indicator {form.indicator} is counted in {BUILDINGS}: a building adds one")


def _check_follow_ups_appraised(system, forms):
    """A follow-up asks a professional agency to look; it closes when the agency's appraisal of the
    building and indicator arrives, so its indicator must be one agencies appraise."""
    appraised = system.appraised
    for form in forms:
        if form.indicator in appraised:
            continue
        for i, j, question in ((i, j, q) for i, section in enumerate(form.sections)
                               for j, q in enumerate(section["questions"])):
            if "follow_up" in question:
                _fail(form.path, f"sections[{i}].questions[{j}].follow_up", f"indicator {form.indicator} of "
                      f"{system.code!r} takes no appraisal (system.json: indicators[].appraisal)")


def _check_forms_fit_system(system, forms):
    numbers = {indicator["number"] for indicator in system.indicators}
    seen = {}
    for form in forms:
        if form.system != system.code:
            _fail(form.path, "system", f"{form.system!r} does not match {system.path} ({system.code!r})")
        if form.indicator not in numbers:
            _fail(form.path, "indicator", f"system {system.code!r} has no indicator {form.indicator}")
        if (form.id, form.version) in seen:
            _fail(form.path, "version", f"{form.id} v{form.version} is also defined in {seen[form.id, form.version]}")
        seen[form.id, form.version] = form.path
        same_id = next((f for f in forms if f.id == form.id and f.indicator != form.indicator), None)
        if same_id is not None:
            _fail(form.path, "indicator", f"other versions of {form.id!r} are for indicator {same_id.indicator}")


def _check_indicators_covered(system, forms):
    """Each indicator has exactly one current form, and that form has a defect for each listed check item."""
    registry = Registry([system], forms)
    current = defaultdict(list)
    for form in registry.forms(system.code):
        current[form.indicator].append(form)
    for i, indicator in enumerate(system.indicators):
        candidates = current[indicator["number"]]
        if len(candidates) != 1:
            found = ", ".join(f.path for f in candidates) or "none"
            _fail(system.path, f"indicators[{i}]", f"needs exactly one current form, found: {found}")
        form = candidates[0]
        for j, item in enumerate(indicator["check_items"]):
            if item not in form.check_items:
                _fail(system.path, f"indicators[{i}].check_items[{j}]", f"no defect in {form.path} checks {item!r}")


def _read_json(path):
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_constant)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        _fail(path, "", f"not a readable JSON file: {error}")


def _refuse_duplicate_keys(pairs):
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"duplicate key {duplicates[0]!r}")
    return dict(pairs)


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _raise_problems(path, problems):
    if problems:
        raise FormDefinitionError(path, problems)


def _fail(path, field, message):
    raise FormDefinitionError(path, [(field, message)])
