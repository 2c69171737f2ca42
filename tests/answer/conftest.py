import pytest

from webqa.types import Quote

KISS = Quote(
    "Kiss and Tell is a 1945 American comedy film starring then 17-year-old Shirley Temple as Corliss Archer.",
    "Kiss and Tell (1945 film)", None, "Kiss and Tell (1945 film)", 0, 103,
)  # fmt: skip
TEMPLE = Quote(
    "As an adult, she was named United States ambassador to Ghana and to Czechoslovakia and also served as "
    "Chief of Protocol of the United States.",
    "Shirley Temple", None, "Shirley Temple", 95, 237,
)  # fmt: skip
WALDO = Quote("Janet Marie Waldo was an American radio and voice actress.", "Janet Waldo", None, "Janet Waldo", 0, 58)
QUESTION = "What government position was held by the woman who portrayed Corliss Archer in the film Kiss and Tell?"


@pytest.fixture
def scored():
    return [(TEMPLE, 0.7), (KISS, 0.6), (WALDO, 0.3)]
