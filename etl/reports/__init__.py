"""Analytics the CLI and the pages share: scope, worklist, KPIs, timelines, audit sampling and their statistics."""
