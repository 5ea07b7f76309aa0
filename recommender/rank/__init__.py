"""Ranking: hard constraints (``constraints``), candidates and their signals (``retrieval``), the
signal names (``signals``), fusion and MMR (``scoring``), retrieve-then-order (``ranking``)."""
