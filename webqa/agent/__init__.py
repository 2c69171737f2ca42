"""The agent: a bounded loop in which a policy drives the browser until it has evidence."""
