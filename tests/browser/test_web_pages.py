"""Fetching real pages from the fixture site: links, redirects, limits, charsets, clutter, safety."""

import sys

import pytest

from webqa.browser.fetchers import WebPages
from webqa.config import Settings
from webqa.errors import FetchError
from webqa.web import fetch as fetch_module


def test_links_are_numbered_absolute_and_followable(make_browser, site):
    browser = make_browser()
    home = browser.run("open", site.url("/"))
    assert "[1†Nile] is a major north-flowing river" in home.text
    assert "Home | About" not in home.text  # navigation is furniture
    links = {link.number: link.target for link in browser.page.links}
    assert links == {1: site.url("/nile"), 2: site.url("/amazon"), 3: "https://example.org/external"}
    nile = browser.run("open", "1")
    assert nile.text.startswith("Page: Nile\nSource: " + site.url("/nile"))


def test_clutter_is_removed_and_the_article_kept(make_browser, site):
    browser = make_browser()
    text = browser.run("open", site.url("/nile")).text
    assert "The Nile is about 6,650 km long." in text
    for clutter in ("tracking", "color: blue", "Site header", "Advertisement"):
        assert clutter not in browser.page.text


def test_div_based_furniture_is_dropped_by_its_class_or_id(make_browser, site):
    browser = make_browser()
    browser.run("open", site.url("/blog"))
    assert browser.page.text == "Why rivers meander\nRivers meander because erosion is faster on the outside of a bend."


def test_a_redirect_chain_is_followed_and_a_loop_is_reported(make_browser, site):
    browser = make_browser()
    assert browser.run("open", site.url("/r1")).text.startswith("Page: Nile\nSource: " + site.url("/nile"))
    loop = browser.run("open", site.url("/loop-a"))
    assert not loop.ok and "Too many redirects" in loop.text
    assert browser.page.title == "Nile"  # a failed open leaves the page as it was


@pytest.mark.parametrize(
    "path, message",
    [
        ("/huge", "larger than the 20,000-byte limit"),
        ("/binary", "application/octet-stream, not an HTML or text page"),
        ("/slow", "Timed out"),
        ("/missing", "answered HTTP 404"),
    ],
)
def test_pages_that_cannot_be_read_become_observations(make_browser, site, path, message):
    browser = make_browser()
    observation = browser.run("open", site.url(path))
    assert not observation.ok and message in observation.text
    assert observation.text.startswith("open failed: ")


def test_charsets_from_the_header_and_from_meta(make_browser, site):
    browser = make_browser()
    assert browser.run("open", site.url("/latin1")).text.startswith("Page: Café")
    assert "Un café crème." in browser.page.text
    browser.run("open", site.url("/meta-charset"))
    assert browser.page.title == "Naïve" and "A naïve “quoted” café." in browser.page.text


def test_plain_text_pages(make_browser, site):
    browser = make_browser()
    observation = browser.run("open", site.url("/notes.txt"))
    assert observation.text.startswith("Page: notes.txt") and "L2: Second line." in observation.text


def test_pdf_without_a_parser_says_what_to_install(make_browser, site, monkeypatch):
    monkeypatch.setitem(sys.modules, "pypdf", None)
    observation = make_browser().run("open", site.url("/doc.pdf"))
    assert (
        not observation.ok
        and "no PDF parser is installed" in observation.text
        and "pip install pypdf" in observation.text
    )


def test_page_text_is_data_not_instructions(make_browser, site):
    browser = make_browser()
    observation = browser.run("open", site.url("/injection"))
    assert observation.ok and "ignore all previous instructions" in observation.text
    # Nothing on the page ran: no quote was taken, no page was fetched, the budget moved by one.
    assert browser.quotes == [] and browser.actions_left == 19
    assert [s.command for s in browser.steps] == ["open"]
    assert all("169.254" not in path for path in site.requests)


def test_the_page_cache_fetches_each_page_once(site, web_settings):
    pages = WebPages(web_settings)
    first = pages.get(site.url("/nile"))
    second = pages.get(site.url("/nile"))
    via_redirect = pages.get(site.url("/r3"))
    assert first is second and via_redirect.title == "Nile"
    assert site.requests.count("/nile") == 2 and pages.fetches == 2  # /r3 lands on /nile, fetched once more
    assert pages.get(site.url("/r3")) is via_redirect and pages.fetches == 2


# --- refusing requests into private networks (SSRF) ---------------------------------------------


@pytest.fixture
def strict(tmp_path) -> Settings:
    return Settings(index_dir=tmp_path / "i", fetch_timeout_s=1.0)  # allow_private_urls is off


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost/",
        "http://10.1.2.3/admin",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_private_loopback_and_metadata_addresses_are_refused(strict, url):
    with pytest.raises(FetchError, match="private, loopback or link-local.*WEBQA_ALLOW_PRIVATE_URLS"):
        WebPages(strict).get(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/"])
def test_non_http_schemes_are_refused(strict, url):
    with pytest.raises(FetchError, match="only http and https"):
        WebPages(strict).get(url)


def test_a_redirect_into_a_private_address_is_refused_at_that_hop(strict, site, monkeypatch):
    """The fixture server is on loopback, so pretend 127.0.0.1 is a public address for the first hop (and
    route that address back to it, since connections go to the address the guard checked); the redirect
    to the cloud metadata address must still be refused before any connection."""
    import ipaddress
    import socket

    real_resolve = fetch_module.resolve
    real_connect = socket.socket.connect

    def resolve(host, port):
        if host == "127.0.0.1":
            return [ipaddress.ip_address("93.184.216.34")]
        return real_resolve(host, port)

    def connect(self, address):
        return real_connect(self, ("127.0.0.1", address[1]) if address[0] == "93.184.216.34" else address)

    monkeypatch.setattr(fetch_module, "resolve", resolve)
    monkeypatch.setattr(socket.socket, "connect", connect)
    assert WebPages(strict).get(site.url("/amazon")).title == "Amazon"  # the first hop alone is fine
    with pytest.raises(FetchError, match=r"Refused http://169\.254\.169\.254/latest/meta-data/"):
        WebPages(strict).get(site.url("/to-metadata"))
    with pytest.raises(FetchError, match="only http and https"):
        WebPages(strict).get(site.url("/to-file"))


def test_loopback_is_refused_by_default_even_for_the_fixture_site(strict, site):
    with pytest.raises(FetchError, match="Refused"):
        WebPages(strict).get(site.url("/nile"))
    assert site.requests == []
