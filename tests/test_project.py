"""Project rules that are easy to break silently: documented settings and commands, named migrations."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_setting_is_documented():
    source = (ROOT / "llrc" / "settings.py").read_text()
    names = set(re.findall(r'env_\w+\("([A-Z_]+)"', source)) | set(
        re.findall(r'env_str\("([A-Z_]+)"', source)
    )
    assert "LLRC_DATA_DIR" in names and "DATABASE_URL" in names
    documented = (ROOT / "docs" / "operations" / "settings.md").read_text()
    missing = sorted(n for n in names if f"`{n}`" not in documented)
    assert not missing, f"settings missing from docs/operations/settings.md: {missing}"


def test_every_llrc_command_is_in_the_readme():
    commands = {
        p.stem for p in (ROOT / "llrc" / "operations" / "management" / "commands").glob("*.py")
    } - {"__init__"}
    readme = (ROOT / "README.md").read_text()
    missing = sorted(c for c in commands if f"`llrc {c}" not in readme)
    assert not missing, f"commands missing from README: {missing}"


def test_migrations_have_telling_names():
    auto = [p.name for p in ROOT.glob("llrc/*/migrations/0*.py") if "_auto_" in p.name]
    assert not auto, f"rename auto-named migrations: {auto}"


def test_no_page_template_loads_from_another_host():
    offenders = []
    for template in (ROOT / "llrc").glob("**/templates/**/*.html"):
        text = template.read_text()
        if re.search(r'(src|href)="(https?:)?//', text):
            offenders.append(template.name)
    assert not offenders


def test_chinese_interface_catalogue_is_complete():
    import polib

    po = polib.pofile(
        str(ROOT / "llrc" / "web" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    )
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated and not fuzzy, (untranslated, fuzzy)
    assert len(po.translated_entries()) > 100
    # Every {% translate "..." %} of the templates is in the catalogue ("Did you mean:" was not, and
    # stayed English on the Chinese pages).
    translated = {e.msgid for e in po.translated_entries()}
    missing = sorted(
        {
            msgid
            for template in (ROOT / "llrc" / "web" / "templates").glob("**/*.html")
            for msgid in re.findall(r'{% translate "([^"]+)"', template.read_text())
        }
        - translated
    )
    assert not missing, missing


_GETTEXT = {"gettext": 0, "gettext_lazy": 0, "_": 0, "gettext_noop": 0, "ngettext": 0}
_PGETTEXT = {"pgettext", "pgettext_lazy", "npgettext"}


def _translation_calls(tree):
    """(function name, call) for every call of the gettext family in a module's syntax tree."""
    import ast

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            # Django's functions by name, or as translation.gettext; not the method of another
            # catalogue (pycountry's names of countries are read with t.gettext).
            func = node.func
            if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "translation":
                name = func.attr
            else:
                name = getattr(func, "id", None)
            if name in _GETTEXT or name in _PGETTEXT:
                yield name, node


def test_every_message_of_the_code_is_in_the_chinese_catalogue_as_makemessages_reads_it():
    """The code's messages are translated, and written so that `make messages` (xgettext) finds them:
    the cursor's refusal was in no catalogue; "demo", translated inside an f-string, and the problems
    of lib.text, under a context held in a constant, were invisible to xgettext, so regenerating the
    catalogue dropped their translations."""
    import ast

    import polib

    po = polib.pofile(
        str(ROOT / "llrc" / "web" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    )
    translated = {(e.msgctxt, e.msgid) for e in po.translated_entries()}
    missing, unreadable = [], []
    for path in sorted((ROOT / "llrc").glob("**/*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        inside_fstrings = {
            id(call)
            for joined in ast.walk(tree)
            if isinstance(joined, ast.JoinedStr)
            for _name, call in _translation_calls(joined)
        }
        for name, call in _translation_calls(tree):
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            literal = [isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args]
            needed = 2 if name in _PGETTEXT else 1
            if id(call) in inside_fstrings or len(literal) < needed or not all(literal[:needed]):
                unreadable.append(where)
                continue
            context = call.args[0].value if name in _PGETTEXT else None
            msgid = call.args[needed - 1].value
            if name != "gettext_noop" and (context, msgid) not in translated:
                missing.append(f"{where}: {msgid!r}")
    assert not unreadable, unreadable
    assert not missing, missing


def test_templates_have_no_untranslated_visible_text_outside_tags():
    # Every sentence a reader sees comes through {% translate %}/{% blocktranslate %}; bare English words
    # between tags would stay English on the Chinese pages.
    offenders = []
    for template in (ROOT / "llrc" / "web" / "templates").glob("**/*.html"):
        if template.name == "500.html":  # bilingual on purpose: it must render without the database
            continue
        text = re.sub(
            r"{% blocktranslate.*?{% endblocktranslate %}", "", template.read_text(), flags=re.S
        )
        text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", text, flags=re.S)
        # What a reader types, in <code> (the search help's examples), is the same in every language.
        text = re.sub(r"<code[^>]*>.*?</code>", " ", text, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        words = re.findall(r"[A-Za-z]{3,}", text)
        if words:
            offenders.append((template.name, words[:5]))
    assert not offenders, offenders


def test_demo_keys_are_unique_and_subjects_have_chinese_labels():
    import json

    keys, subjects = [], set()
    for path in sorted((ROOT / "llrc" / "demo" / "data" / "resources").glob("*.json")):
        for item in json.loads(path.read_text())["resources"]:
            keys.append(item["key"])
            subjects.update(item["subjects"])
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    assert len(keys) >= 150
    ours = json.loads(
        (ROOT / "llrc" / "vocabularies" / "data" / "unesco-thesaurus-zh-llrc.json").read_text()
    )["labels"]
    assert not subjects - set(ours), sorted(subjects - set(ours))


@pytest.mark.parametrize("value", ["-5", "3000000000"])
def test_a_search_time_limit_out_of_range_is_refused_by_name(tmp_path, value):
    env = os.environ | {
        "LLRC_SEARCH_TIMEOUT_MS": value,
        "LLRC_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "llrc.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert (
        "LLRC_SEARCH_TIMEOUT_MS must be 0 (no limit) or a number of milliseconds up to 2147483647, "
        f"not {value}"
    ) in done.stderr
