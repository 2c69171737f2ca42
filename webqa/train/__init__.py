"""Learning from feedback on this machine: supervised fine-tuning on edited answers (`sft`), a reward model
from comparisons (`reward`), and the data both start from before any user has given feedback
(`synthesize`). Training libraries (transformers, TRL, peft) import only when a command trains."""
