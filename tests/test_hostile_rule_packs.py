"""Hostile rule packs through `manage.py load_rule_pack` and the workbench import: broken YAML or
JSON, the wrong shape, an alias bomb, a huge file, a catastrophic regex. Each is refused with a
sentence in the reader's language (the terminal's for the command), never a traceback, and the
rules in force are unchanged; a catastrophic regex is accepted because RE2 runs it in linear time.
"""

import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from coaching.engine import Turn, find_moments
from coaching.models import RuleSet
from coaching.selectors import draft_snapshot
from coaching.workbench.services import MAX_PACK_BYTES, pack_read_file

pytestmark = pytest.mark.django_db

RULE = {"key": "k", "behaviour": "rep_proposal", "language": "en", "kind": "phrase", "pattern": "x"}
BILLION_LAUGHS = "\n".join(
    ['version: "1"', "behaviours: {}", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    + ["rules: *i"]
)

# (id, file content, English phrase, Japanese phrase)
HOSTILE = [
    ("yaml-syntax", 'version: "1"\nrules: [unclosed\n', "not valid YAML or JSON", "YAML または JSON"),
    ("json-syntax", '{"version": "1", "rules": [}', "not valid YAML or JSON", "YAML または JSON"),
    ("python-tag", "!!python/object/apply:os.system ['true']", "not valid YAML or JSON", "YAML または JSON"),
    ("deep-nesting", "rules: " + "[" * 50_000, "not valid YAML or JSON", "YAML または JSON"),
    ("a-list", "- one\n- two\n", "not a rule pack", "ルールパックではありません"),
    (
        "rule-not-a-mapping",
        'version: "1"\nrules: [just text]\n',
        "rules must be a list of rules",
        "ルールのリスト",
    ),
    ("alias-bomb", BILLION_LAUGHS, "aliases (*name) are not allowed", "YAML または JSON"),
    ("no-version", json.dumps({"behaviours": {}, "rules": [RULE]}), "needs a version", "version が必要"),
    ("huge", "# " + "x" * MAX_PACK_BYTES + "\nversion: '1'\nrules: []\n", "too large (at most 2 MB)", "2 MB"),
    (
        "backreference",
        json.dumps({"version": "1", "rules": [{**RULE, "kind": "regex", "pattern": r"(a+)\1"}]}),
        "Backreferences",
        None,
    ),
]


@pytest.fixture
def terminal(monkeypatch):
    def set_language(language: str) -> None:
        for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
            monkeypatch.delenv(variable, raising=False)
        monkeypatch.setenv("LANG", "ja_JP.UTF-8" if language == "ja" else "en_US.UTF-8")

    return set_language


def rules_in_force():
    return RuleSet.objects.get(is_active=True).snapshot, draft_snapshot(), RuleSet.objects.count()


@pytest.mark.parametrize(("content", "en", "ja"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_load_rule_pack_refuses_a_hostile_pack_and_keeps_the_rules(
    tmp_path, terminal, content, en, ja, language
):
    # Given the rules in force and a hostile pack file
    before = rules_in_force()
    path = tmp_path / "pack.yaml"
    path.write_text(content, encoding="utf-8")
    terminal(language)
    # When an admin loads it, then the command says what is wrong (in the terminal's language
    # where the sentence is the product's own) and nothing is installed
    started = time.perf_counter()
    with pytest.raises(CommandError) as exc:
        call_command("load_rule_pack", str(path))
    assert time.perf_counter() - started < 10
    message = str(exc.value)
    assert message.startswith(f"{path}: ")
    assert (ja if language == "ja" and ja else en) in message
    assert rules_in_force() == before


def test_load_rule_pack_says_a_missing_file_cannot_be_read(tmp_path, terminal):
    terminal("ja")
    with pytest.raises(CommandError, match="を読み込めません"):
        call_command("load_rule_pack", str(tmp_path / "nope.yaml"))


def test_workbench_import_refuses_an_alias_bomb_in_the_admins_language(client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin_user.profile.language = "ja"
    admin_user.profile.save()
    client.force_login(admin_user)
    before = rules_in_force()
    response = client.post(
        reverse("workbench:import"),
        {"file": SimpleUploadedFile("laughs.yaml", BILLION_LAUGHS.encode())},
        follow=True,
    )
    page = response.content.decode()
    assert "YAML または JSON" in page and "aliases" in page
    assert rules_in_force() == before


def test_a_catastrophic_regex_is_accepted_and_runs_in_linear_time(tmp_path):
    # Given a pack whose regex backtracks exponentially in Python's re
    pack = {"version": "1", "rules": [{**RULE, "kind": "regex", "pattern": "(a+)+$"}]}
    path = tmp_path / "redos.json"
    path.write_text(json.dumps(pack))
    # When it is read as load_rule_pack reads it and run over a 100 kB turn that almost matches
    rules = list(pack_read_file(str(path)).rules)
    find_moments([Turn(0, "rep", "warm-up")], rules, language="en")  # loads the language model once
    started = time.perf_counter()
    moments = find_moments([Turn(0, "rep", "a" * 100_000 + "!")], rules, language="en")
    # Then the turn is searched in well under a second (RE2: linear time), and it finds nothing
    assert time.perf_counter() - started < 1.0
    assert moments == []


def test_the_default_pack_still_loads_through_the_same_checks():
    from io import StringIO

    from coaching.engine.rules import DEFAULT_PACK, load_pack

    out = StringIO()
    call_command("load_rule_pack", stdout=out)
    assert "Installed" in out.getvalue()
    assert pack_read_file(str(DEFAULT_PACK)) == load_pack(DEFAULT_PACK)
