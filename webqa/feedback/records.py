"""The feedback file's lines and the exports made from them, validated with pydantic at the edges.

A feedback line is one judgement of one answer: a rating (thumbs up or down, with a reason), an edit (the
answer as the user says it should read) or a comparison (two sampled answers and the one preferred). Each
carries the prompt the answer model was given, so exports need nothing but the file."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "user", "assistant"]
    content: str


class _Judgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    created_at: str
    conversation_id: str
    turn: int = Field(ge=1)
    question: str = Field(min_length=1, description="The standalone question that was answered.")
    prompt: list[ChatMessage] = Field(min_length=1, description="What the answer model is asked for this turn.")
    model: str = Field("", description="The llm setting the answer was made with.")


class Rating(_Judgement):
    kind: Literal["rating"] = "rating"
    answer: str
    rating: Literal["up", "down"]
    reason: str = ""


class Edit(_Judgement):
    kind: Literal["edit"] = "edit"
    answer: str
    edited_answer: str = Field(min_length=1)


class ComparisonChoice(_Judgement):
    kind: Literal["comparison"] = "comparison"
    answers: list[str] = Field(min_length=2, max_length=2)
    chosen: int = Field(ge=0, le=1, description="Index into `answers` of the answer the user preferred.")


FeedbackRecord = Annotated[Rating | Edit | ComparisonChoice, Field(discriminator="kind")]
FEEDBACK_RECORD: TypeAdapter[Rating | Edit | ComparisonChoice] = TypeAdapter(FeedbackRecord)


class SFTExample(BaseModel):
    """A chat-format supervised fine-tuning example: the prompt's messages, then the wanted reply."""

    model_config = ConfigDict(extra="forbid")

    messages: list[ChatMessage] = Field(min_length=2)

    @model_validator(mode="after")
    def _ends_with_reply(self) -> SFTExample:
        if self.messages[-1].role != "assistant" or not self.messages[-1].content.strip():
            raise ValueError("an SFT example ends with a non-empty assistant message")
        return self


class PreferencePair(BaseModel):
    """A preference pair in the conversational form reward-model and DPO trainers read."""

    model_config = ConfigDict(extra="forbid")

    prompt: list[ChatMessage] = Field(min_length=1)
    chosen: list[ChatMessage] = Field(min_length=1, max_length=1)
    rejected: list[ChatMessage] = Field(min_length=1, max_length=1)

    @model_validator(mode="after")
    def _two_different_replies(self) -> PreferencePair:
        if self.chosen[0].role != "assistant" or self.rejected[0].role != "assistant":
            raise ValueError("chosen and rejected are assistant messages")
        if " ".join(self.chosen[0].content.split()) == " ".join(self.rejected[0].content.split()):
            raise ValueError("chosen and rejected are the same text")
        return self
