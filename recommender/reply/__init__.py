"""The reply: the grounded reply and per-item reasons (``explain``), template replies and reasons
(``templates``), sentence boundaries (``sentences``), prompt files (``prompts``) and every string a
person sees, per language (``strings``)."""
