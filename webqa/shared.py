"""What one process shares: the assistants it has opened (index, embedder, models loaded once), and the
batch answer function built on them. Above both the assistant and the conversation layer, which it joins,
so that each of those imports only what lies below it."""

from __future__ import annotations

from collections.abc import Callable

from webqa.assistant import Assistant
from webqa.config import Settings
from webqa.conversation import conversation_record
from webqa.index.search import index_key
from webqa.questions import QuestionItem

_shared: dict[str, Assistant] = {}


def shared_assistant(settings: Settings) -> Assistant:
    """One assistant (index, embedder, model) per process and settings, whoever asks for it first."""
    key = settings.model_dump_json()
    if key not in _shared:
        # An assistant that answers differently (the chat's sidebar: backend, model, policy, mode) reuses
        # the index an earlier one opened, when both open it the same way, instead of loading a copy.
        wanted = index_key(settings)
        opened = (other.index for other in _shared.values() if other.index is not None)
        index = next((i for i in opened if index_key(i.settings) == wanted), None)
        _shared[key] = Assistant(settings, index=index)
    return _shared[key]


def forget_shared_assistants() -> None:
    """Drop every shared assistant, so the next request opens its index and models afresh (tests start
    from a clean process state with it; a long-running process could free memory with it)."""
    _shared.clear()


def answer_function(settings_data: dict) -> Callable[[QuestionItem], dict]:
    """A batch answer function. Module-level and fed plain data so that functools.partial(answer_function,
    ...) pickles into spawned workers; in-process it reuses the assistant the command already opened.
    A multi-turn line is one conversation: each turn is a follow-up of the ones before it."""
    assistant = shared_assistant(Settings(**settings_data))

    def answer(item: QuestionItem) -> dict:
        if item.turns:
            return conversation_record(assistant, item.id, item.turns)
        assert item.question is not None
        return assistant.ask(item.question).to_record(item.id)

    return answer
