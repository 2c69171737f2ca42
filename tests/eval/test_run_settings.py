"""What a run folder records of the settings: never a key, and nothing that cannot shape an answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DOCUMENTS
from tests.eval.test_eval_cli import GOLD, run


@pytest.fixture
def env(cli_env) -> Path:  # noqa: ANN001
    folder = cli_env(SAMPLE_DOCUMENTS)
    (folder / "gold.jsonl").write_text("".join(json.dumps(line) + "\n" for line in GOLD), encoding="utf-8")
    return folder


def test_keys_are_not_written_into_the_run_folder_and_serve_settings_do_not_block_a_resume(
    env: Path, monkeypatch: pytest.MonkeyPatch
):
    gold, out = str(env / "gold.jsonl"), str(env / "a")
    secrets = {"API_KEY": "serve-s3cret", "OPENAI_API_KEY": "sk-s3cret", "BRAVE_API_KEY": "brave-s3cret"}
    for name, value in secrets.items():
        monkeypatch.setenv(f"WEBQA_{name}", value)
    assert run(gold, "--index", "kb", "--out", out, "--limit", "2") == 0
    written = {path.name: path.read_text(encoding="utf-8") for path in (env / "a").iterdir() if path.suffix != ".png"}
    assert {"run.json", "answers.jsonl", "report.json", "report.md"} <= written.keys()
    for name, text in written.items():
        assert not [value for value in secrets.values() if value in text], name
    assert "serve_workers" not in json.loads(written["run.json"])["settings"]

    # Another key, other serve settings: the same answers, so the run goes on.
    monkeypatch.setenv("WEBQA_API_KEY", "another")
    monkeypatch.setenv("WEBQA_OPENAI_API_KEY", "sk-another")
    monkeypatch.setenv("WEBQA_SERVE_WORKERS", "2")
    monkeypatch.setenv("WEBQA_SERVE_REPLAY_TURNS", "0")
    assert run(gold, "--index", "kb", "--out", out) == 0
    # A run.json written before these settings counted as neutral, holding them, resumes too.
    config = json.loads((env / "a" / "run.json").read_text())
    config["settings"].update(openai_api_key="sk-old", serve_queue=99)
    (env / "a" / "run.json").write_text(json.dumps(config))
    assert run(gold, "--index", "kb", "--out", out) == 0


def test_every_key_and_serve_setting_is_neutral_to_a_run():
    from webqa.config import Settings
    from webqa.evaluation.runner import _NEUTRAL_SETTINGS

    named = {name for name in Settings.model_fields if name.endswith("api_key") or name.startswith("serve_")}
    assert len(named) >= 10 and named <= _NEUTRAL_SETTINGS


def test_a_run_from_before_the_q8_0_model_does_not_resume_with_it(env: Path, capsys: pytest.CaptureFixture[str]):
    gold, out = str(env / "gold.jsonl"), str(env / "b")
    assert run(gold, "--index", "kb", "--out", out, "--limit", "1") == 0
    config = json.loads((env / "b" / "run.json").read_text())
    config["settings"].pop("embedded_llm_weights")  # a run.json written before the setting: Q4_1 answers
    (env / "b" / "run.json").write_text(json.dumps(config))
    capsys.readouterr()
    assert run(gold, "--index", "kb", "--out", out) != 0
    assert "embedded_llm_weights: 'packaged' then, 'q8_0' now" in capsys.readouterr().err
