"""From quotes to a cited answer: select evidence, write or extract, check support, or abstain."""
