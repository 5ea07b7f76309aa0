"""Build steps: the bundled catalogues, their prebuilt vectors and the word lists, each rebuilt byte
for byte from its sources (run as ``python scripts/build/<name>.py``)."""
