"""The catalogue: what a folder says about itself (``spec``), which catalogues exist and their
first-use ingest (``registry``), rows read and validated (``rows``), embedding and upserting
(``ingest``), shipped vectors (``prebuilt``), Chroma (``index``), BM25 (``keywords``), the words
items carry (``words``), popularity, co-mentions and learned weights (``side_tables``), EASE
weights (``collab``), and one catalogue in memory (``catalogue``)."""
