"""The outside systems tweet-lake talks to, each behind a Dagster resource."""
