from webqa.browser.env import Browser
from webqa.browser.fetchers import LocalDocuments
from webqa.search.local import LocalSearch


def browser_for(index, budget: int = 20) -> Browser:
    return Browser(search_backend=LocalSearch(index), local=LocalDocuments(index), budget=budget)
