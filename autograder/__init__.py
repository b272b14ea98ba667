"""The deep Q-learning homework's grader: CLI, isolated test runner, instructor tools."""
