"""Reading one message: raw input to words and vectors (``understand``), which language
(``langid``), a non-English message glossed into the reader's English (``gloss``), titles, people
and vocabulary words linked (``linking``, ``titles``, ``people``, ``fuzzy``), numbers and ranges
(``quantities``, ``ordinals``), critiques of shown items (``critique``), all read once into a
typed ``Reading`` (``reading``)."""
