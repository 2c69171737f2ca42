"""Feedback on answers (ratings, edits, comparisons), saved as JSONL and exported as training data."""

from webqa.feedback.collect import comparison_choice, edit, rating
from webqa.feedback.export import FORMATS, preference_pairs, sft_examples, write_jsonl
from webqa.feedback.records import ChatMessage, ComparisonChoice, Edit, PreferencePair, Rating, SFTExample
from webqa.feedback.store import FeedbackContents, FeedbackFileError, FeedbackStore, Judgement, default_feedback_path

__all__ = [
    "FORMATS",
    "ChatMessage",
    "ComparisonChoice",
    "Edit",
    "FeedbackContents",
    "FeedbackFileError",
    "FeedbackStore",
    "Judgement",
    "PreferencePair",
    "Rating",
    "SFTExample",
    "comparison_choice",
    "default_feedback_path",
    "edit",
    "preference_pairs",
    "rating",
    "sft_examples",
    "write_jsonl",
]
