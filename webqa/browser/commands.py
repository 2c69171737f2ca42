"""The browser's command set, written once: the commands, the action a policy returns, and the JSON schema
a model's reply is held to, derived from that action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict

Command = Literal["search", "open", "find", "quote", "scroll", "top", "back", "answer", "unanswerable"]
COMMANDS: tuple[str, ...] = get_args(Command)
# The step a reply that is no command at all leaves in the trace (it costs an action like any command).
INVALID = "(invalid)"


class BrowserAction(BaseModel):
    """One browser command and its argument: what every policy returns, and the JSON a model replies with."""

    # Serialised, an action always carries its argument: the schema sent to models requires it.
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)

    command: Command
    argument: str = ""


@dataclass(frozen=True)
class InvalidReply:
    """A policy's output that is no action (a model's malformed reply, a repeat): the browser records it as
    an INVALID step whose observation says why, and the loop counts it."""

    reason: str


PolicyOutput = BrowserAction | InvalidReply


def action_schema() -> dict[str, Any]:
    """BrowserAction's JSON schema, kept to what holds a reply to it (types, the command enum, required
    fields): llama.cpp grammars and servers need no more, and in prompt mode titles and defaults would only
    lengthen the prompt."""
    full = BrowserAction.model_json_schema(mode="serialization")
    # In this key order, the schema's text (which prompt mode shows the model) is what it always was.
    properties = {
        name: {key: field[key] for key in ("type", "enum") if key in field}
        for name, field in full["properties"].items()
    }
    return {"type": full["type"], "properties": properties, "required": full["required"]}
