"""tweet-lake: X API v2 posts landed in a bronze/silver/gold lake by Dagster and PySpark."""
