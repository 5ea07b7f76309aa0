"""``python -m recommender`` runs the ``magpie`` command line."""

from recommender.cli.main import main

main()
