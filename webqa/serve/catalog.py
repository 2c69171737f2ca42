"""The models the API offers, and the assistant behind each: `webqa` answers with the server's settings
(its default index or search backend); `webqa:NAME` answers from the local index NAME."""

from __future__ import annotations

import threading
from collections.abc import Callable

from webqa.assistant import Assistant
from webqa.config import Settings
from webqa.index.layout import list_index_names
from webqa.serve.api_errors import unknown_model
from webqa.shared import shared_assistant

MODEL = "webqa"
INDEX_SEPARATOR = ":"

AssistantFactory = Callable[[Settings], Assistant]


class Catalog:
    def __init__(self, settings: Settings, make_assistant: AssistantFactory = shared_assistant) -> None:
        self.settings = settings
        self._make_assistant = make_assistant
        self._lock = threading.Lock()  # opening an index takes a moment: two requests must not open it twice
        self._assistants: dict[str, Assistant] = {}

    def names(self) -> list[str]:
        """`webqa`, then `webqa:NAME` for every built index (only with the local search backend: a web
        backend searches the web whichever index is named)."""
        if self.settings.search_backend != "local":
            return [MODEL]
        return [MODEL, *(f"{MODEL}{INDEX_SEPARATOR}{name}" for name in list_index_names(self.settings.index_dir))]

    def check(self, model: str) -> None:
        """ApiError 404 for a model this server does not offer (an index that is not built, say)."""
        if model != MODEL and model not in self.names():
            raise unknown_model(model, self.names())

    def assistant(self, model: str) -> Assistant:
        """The assistant answering as `model`, opened on first use and kept: models load once."""
        self.check(model)
        with self._lock:
            if model not in self._assistants:
                self._assistants[model] = self._make_assistant(self._settings_for(model))
            return self._assistants[model]

    def warm_up(self, *, with_model: bool) -> Assistant:
        """Open the default assistant now, with its embedder (and its language model when answers use
        one), so that a bad setup fails at start and the first question pays for no loading."""
        assistant = self.assistant(MODEL)
        assistant.relevance().embed(["warm up"])
        if with_model:
            assistant.llm()
        return assistant

    def _settings_for(self, model: str) -> Settings:
        if model == MODEL:
            return self.settings
        index = model.split(INDEX_SEPARATOR, 1)[1]
        return self.settings.model_copy(update={"default_index": index})
