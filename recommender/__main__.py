"""``python -m recommender`` runs the ``magpie`` command line."""

from .cli import main

main()
