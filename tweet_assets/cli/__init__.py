"""`tweet-lake`: one command for the shell, with a subcommand per way to look at the lake."""
