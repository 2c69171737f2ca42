"""`webqa search` and `webqa open` print what the assistant would see."""

import json

import pytest

from tests.browser.website import serve_site
from tests.conftest import SAMPLE_DOCUMENTS
from webqa.cli import main


@pytest.fixture
def env(cli_env):
    return cli_env(SAMPLE_DOCUMENTS)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_the_local_index(env, capsys):
    code, out, _ = run(capsys, "search", "highest mountain Himalayas", "-k", "2")
    assert code == 0
    assert out.splitlines()[0] == "Search results: 'highest mountain Himalayas' (local)"
    assert "1. [1†Mount Everest] (doc:everest)" in out and "[Quotes:" not in out
    code, out, _ = run(capsys, "search", "Himalayas", "--json", "-k", "1")
    (result,) = json.loads(out)
    assert result["doc_id"] == "everest" and result["source"] == "local"


def test_open_a_document_and_a_url(env, capsys, web, monkeypatch):
    code, out, _ = run(capsys, "open", "einstein", "--find", "Nobel")
    assert code == 0 and out.startswith("Match 1 of 1 for 'Nobel'") and "Page: Albert Einstein" in out
    serve_site(web)
    monkeypatch.setenv("WEBQA_ALLOW_PRIVATE_URLS", "true")
    code, out, _ = run(capsys, "open", web.url("/"), "--json")
    page = json.loads(out)
    assert page["title"] == "Rivers of the World" and page["links"][0]["target"] == web.url("/nile")


@pytest.mark.parametrize(
    "args, message",
    [
        (["open", "no-such-doc"], "No document 'no-such-doc' in index 'kb'."),
        (["open", "http://127.0.0.1:9/x"], "Refused http://127.0.0.1:9/x"),
        (["open", "file:///etc/passwd"], "only http and https"),
        (["search", "x", "--backend", "altavista"], "Unknown search backend 'altavista'"),
        (["search", "x", "--backend", "brave"], "WEBQA_BRAVE_API_KEY"),
        (["search", "x", "--index", "missing"], "No index named 'missing'"),
    ],
)
def test_mistakes_are_one_line_errors(env, capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code != 0 and err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1
