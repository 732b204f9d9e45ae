"""Silver and gold as plain DataFrame → DataFrame functions, testable without Dagster."""
