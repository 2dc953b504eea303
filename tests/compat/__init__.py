"""Real clients against a real ``cadenza run`` server process."""
