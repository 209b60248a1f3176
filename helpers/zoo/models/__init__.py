"""The zoo's task models: one module per entry, each registering itself when imported.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").

Import order is registration order, which is the order ``python -m helpers.zoo build`` builds them in.
"""

from . import fill_mask, ner, perplexity, qa, sentiment  # noqa: F401  (each registers its entry)
