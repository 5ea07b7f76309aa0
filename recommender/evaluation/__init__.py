"""Evaluation on real data: conversational recommendation (ReDial format), images, speech.

``magpie eval`` (``recommender/evaluate.py``) is the command line over these modules:
``redial`` reads the data format, ``metrics`` scores ranked lists, ``crs`` runs the systems,
``report`` writes Markdown, JSON and the chart, ``media`` measures images, ``speech`` speech.
"""
