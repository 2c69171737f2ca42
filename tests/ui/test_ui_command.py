"""`webqa ui` checks its options before starting the server and hands them to it as settings."""

from __future__ import annotations

import importlib

from webqa.cli import main

# The module, not the command function of the same name that webqa.cli exports.
ui_command = importlib.import_module("webqa.cli.ui_command")


def test_options_reach_the_server_as_settings(monkeypatch, capsys):
    started = {}

    def execve(program, command, env):  # noqa: ANN001, ANN202
        started.update(program=program, command=command, env=env)

    monkeypatch.setattr(ui_command.os, "execve", execve)
    assert main(["ui", "--port", "8765", "--index", "kb", "--mode", "abstractive"]) == 0
    command = started["command"]
    assert started["program"] == command[0]
    assert command[1:4] == ["-m", "streamlit", "run"] and command[4].endswith("ui/app.py")
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.port") + 1] == "8765"
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"
    assert started["env"]["WEBQA_DEFAULT_INDEX"] == "kb" and started["env"]["WEBQA_ANSWER_MODE"] == "abstractive"
    assert "WEBQA_POLICY" not in started["env"]
    assert "http://127.0.0.1:8765" in capsys.readouterr().err


def test_a_bad_option_fails_before_any_server_starts(monkeypatch, capsys):
    monkeypatch.setattr(ui_command.os, "execve", lambda *a, **k: 1 / 0)
    assert main(["ui", "--policy", "wander"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "policy" in err and "Traceback" not in err


def test_missing_streamlit_or_app_say_how_to_get_them(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(ui_command.os, "execve", lambda *a, **k: 1 / 0)
    monkeypatch.setattr(ui_command.importlib.util, "find_spec", lambda name: None)
    assert main(["ui"]) == 1
    assert "pip install 'webqa[ui]'" in capsys.readouterr().err
    monkeypatch.undo()
    monkeypatch.setattr(ui_command.os, "execve", lambda *a, **k: 1 / 0)
    monkeypatch.setattr(ui_command, "APP", tmp_path / "nowhere" / "app.py")
    assert main(["ui"]) == 1
    assert "pip install -e '.[ui]'" in capsys.readouterr().err
