"""Results in words and numbers for pages, admin and commands: the one place that formats them."""
