"""The background-job machinery every job kind runs on (R5, R11, R14): claiming a job
and its chunks, counters committed with each chunk, resuming and sweeping; and the one
way services put work on the broker (queueing: task names, never task imports)."""
