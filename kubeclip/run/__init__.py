"""Apply mode: the run state machine that applies a rendered plan and follows it."""
