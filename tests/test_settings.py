"""Settings are resolved once, in one order (defaults → casebook.toml → environment → arguments), and checked."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from casebook.errors import ConfigError
from casebook.settings import Settings
from casebook.store import Casebook


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "casebook.cli", *args], capture_output=True, text=True, timeout=120,
                          env=env)


def test_each_source_overrides_the_one_before(book):
    assert (Settings.resolve(book.path, env={}).timezone, Settings.resolve(book.path, env={}).language) == ("Asia/Seoul", "ko")
    (book.path / "casebook.toml").write_text('[casebook]\ntimezone = "Europe/Berlin"\nlanguage = "en"\n', encoding="utf-8")
    from_file = Settings.resolve(book.path, env={})
    assert (from_file.timezone, from_file.language) == ("Europe/Berlin", "en")
    from_env = Settings.resolve(book.path, env={"CASEBOOK_TIMEZONE": "America/New_York", "CASEBOOK_LANGUAGE": "ko"})
    assert (from_env.timezone, from_env.language) == ("America/New_York", "ko")
    explicit = Settings.resolve(book.path, env={"CASEBOOK_TIMEZONE": "America/New_York"}, timezone="Asia/Tokyo", language="en")
    assert (explicit.timezone, explicit.language) == ("Asia/Tokyo", "en")


def test_rule_overrides_from_the_file_and_from_arguments_merge_key_by_key(book):
    (book.path / "casebook.toml").write_text("[rules.deadlines.latest_open]\ndays = 20\n", encoding="utf-8")
    settings = Settings.resolve(book.path, env={}, rules={"timeline": {"stalled_days": 4}})
    assert settings.rules.days("latest_open") == 20 and settings.rules.timeline["stalled_days"] == 4
    assert settings.rules.days("seller_reply") == 5, "keys not overridden keep the bundled value"


def test_secrets_come_from_the_environment_before_the_file_and_never_show(book):
    (book.path / "casebook.toml").write_text('[secrets]\nseventeentrack_token = "file-token-abcdef"\n', encoding="utf-8")
    from_file = Settings.resolve(book.path, env={})
    assert from_file.secret("seventeentrack_token").reveal() == "file-token-abcdef"
    from_env = Settings.resolve(book.path, env={"SEVENTEENTRACK_TOKEN": "env-token-123456"})
    assert from_env.secret("seventeentrack_token").reveal() == "env-token-123456"
    assert "env-token" not in repr(from_env) and "env-token" not in str(from_env.secrets)
    assert Settings.resolve(book.path, env={}).secret("unipass_key", required=False) is None


BAD_CONFIGS = [
    ('[casebook]\ntimezone = 5\n', "[casebook] timezone"),
    ('[casebook]\ntimezone = "Mars/Olympus"\n', "not a known time zone"),
    ('[casebook]\nlanguage = "fr"\n', "[casebook] language"),
    ('[casebook]\ncolour = "red"\n', "[casebook] colour: unknown setting"),
    ("[rules.deadlines.latest_open]\ndays = -1\n", "rules.deadlines.latest_open.days"),
    ("[rules.deadlines.latest_open]\ndays = 1000000000\n", "rules.deadlines.latest_open.days"),
    ('[rules.deadlines.latest_open]\ntimezone = 5\n', "rules.deadlines.latest_open.timezone"),
    ('[rules.deadlines.latest_open]\ntimezone = "Nowhere/City"\n', "rules.deadlines.latest_open.timezone"),
    ("[rules.deadlines.latest_opne]\ndays = 3\n", "rules.deadlines.latest_opne: unknown key"),
    ("[rules.timeline]\nstalled_days = 0\n", "rules.timeline.stalled_days"),
    ("[rules.readiness]\npass_mark = 150\n", "rules.readiness.pass_mark"),
    ("[rules.readiness.weights]\nevidence = -5\n", "rules.readiness.weights.evidence"),
    ("[rulez]\nx = 1\n", "[rulez] is not a casebook setting"),
    ("[limits]\nmax_evidence_mb = -3\n", "[limits] max_evidence_mb"),
    ('[secrets]\nseventeentrack_token = 12345\n', "[secrets] seventeentrack_token"),
    ('[secrets]\nseventeentrack_token = "토큰 with spaces"\n', "seventeentrack_token"),
    ("[casebook\n", "not valid TOML"),
]


@pytest.mark.parametrize(("config", "key"), BAD_CONFIGS)
def test_a_bad_value_is_a_one_line_error_naming_the_key(seeded, config, key):
    (seeded.path / "casebook.toml").write_text(config, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(key)):
        Settings.resolve(seeded.path, env={})
    result = cli("-C", str(seeded.path), "advise", "seed-a")
    assert result.returncode == 1 and result.stdout == ""
    # the casebook.toml that would say the language is the one refused: the error is told in Korean, the default
    assert result.stderr.startswith("casebook: 오류: ") and result.stderr.count("\n") == 1 and key in result.stderr
    assert "Traceback" not in result.stderr and "토큰" not in result.stderr


def test_bad_flags_and_environment_values_are_named_too(seeded):
    bad_tz = cli("-C", str(seeded.path), "advise", "seed-a", "--tz", "Mars/Olympus")
    assert bad_tz.returncode == 1 and "--tz" in bad_tz.stderr
    import os

    env = dict(os.environ, CASEBOOK_LANGUAGE="fr")
    bad_env = cli("-C", str(seeded.path), "advise", "seed-a", env=env)
    assert bad_env.returncode == 1 and "CASEBOOK_LANGUAGE" in bad_env.stderr
    env = dict(os.environ, SEVENTEENTRACK_BASE_URL="not a url")
    bad_url = cli("-C", str(seeded.path), "advise", "seed-a", env=env)
    assert bad_url.returncode == 1 and "SEVENTEENTRACK_BASE_URL" in bad_url.stderr


def test_every_line_the_starter_config_suggests_is_a_real_override(tmp_path):
    book = Casebook.init(tmp_path / "b")
    from casebook.examples import load_examples

    load_examples(book, ids=("seed-a",))
    before = cli("-C", str(book.path), "advise", "seed-a", "--today", "2026-03-21", "--json")
    assert before.returncode == 0, before.stderr
    config = book.path / "casebook.toml"
    suggested = [line for line in config.read_text(encoding="utf-8").splitlines()
                 if re.match(r"^# (\[[a-z._0-9]+\]|[a-z_0-9]+ = )", line)]
    assert len(suggested) >= 12, suggested
    uncommented = re.sub(r"^# (\[[a-z._0-9]+\]|[a-z_0-9]+ = )", r"\1", config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(uncommented, encoding="utf-8")
    after = cli("-C", str(book.path), "advise", "seed-a", "--today", "2026-03-21", "--json")
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout, "the suggested values are the bundled defaults"
    tables = re.findall(r"^\[(rules\.[a-z._0-9]+)\]", uncommented, re.M)
    assert "rules.deadlines.seller_reply" in tables and "rules.timeline" in tables and "rules.readiness" in tables


def test_texts_that_name_a_number_follow_the_overridden_rule(seeded):
    from casebook import services

    (seeded.path / "casebook.toml").write_text(
        "[rules.deadlines.seller_reply]\ndays = 9\n[rules.deadlines.earliest_open]\ndays = 6\n"
        "[rules.deadlines.card_chargeback_120]\ndays = 100\n", encoding="utf-8")
    book = services.open_casebook(seeded.path, language="en")
    advice = services.advise(book, "seed-d", today="2026-07-18")
    platform = next(r for r in advice.ladder if r.key == "platform")
    assert "within 9 days" in platform.when("en") and "9일 안에" in platform.when("ko")
    assert "within 100 days" in next(r for r in advice.ladder if r.key == "chargeback").when("en")
    from casebook.models import Case

    case = Case.model_validate(seeded.get("seed-d").model_dump() | {"id": "early"})
    case.dispute.opened_date = case.order.ship_date
    from casebook.playbook import advise

    early = advise(case, now=book.settings.now("2026-07-18"), rules=book.settings.rules)
    window = next(c for c in early.checks if c.key == "window")
    assert "day 7 after shipping" in window.text("en") and "발송 후 7일째" in window.text("ko")
