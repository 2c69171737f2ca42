"""The text browser: WebGPT's commands (search, open, find, quote, scroll, back) over pages."""

from webqa.browser.env import Browser, Observation, Step
from webqa.browser.page import Link, Page

__all__ = ["Browser", "Link", "Observation", "Page", "Step"]
