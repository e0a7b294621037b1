"""Long-running collectors (streams that cannot be a daily batch)."""
