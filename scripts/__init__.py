"""Build steps (``build/``), one-off measurements (``experiments/``) and setup scripts."""
