"""Glued numbers in translated text (`{glue:text}` in a translated paragraph).

Sphinx's i18n parses each translation as a small document of its own, without
the notebook's glue data, so myst-nb's glue roles in it fail ("No key ...
found in glue data for this document"). This extension lets them read the data
that myst-nb saved for the notebook being translated
(``<nb_output_folder>/<page>.glue.json``, the file its cross-page glue reads).
"""

from __future__ import annotations

import json
from pathlib import Path


def saved_glue_data(document) -> dict:
    """The glue data myst-nb saved for the page ``document`` belongs to."""
    env = getattr(document.settings, "env", None)
    if env is None:
        return {}
    folder = Path(env.mystnb_config.output_folder)
    path = folder.joinpath(*(env.docname + ".glue.json").split("/"))
    return json.loads(path.read_text(encoding="utf8")) if path.exists() else {}


def _retrieve(original):
    def retrieve(document, key):
        if "nb_renderer" not in document:  # a translated message
            from myst_nb.core.variables import VariableOutput

            data = saved_glue_data(document)
            if key in data:
                return VariableOutput(
                    data=data[key]["data"],
                    metadata=data[key].get("metadata", {}),
                    nb_renderer=None,  # plain text needs no renderer
                    vtype="glue",
                )
        return original(document, key)

    retrieve._hfbook = True
    return retrieve


def setup(app):
    from myst_nb.ext.glue import roles

    if not getattr(roles.retrieve_glue_data, "_hfbook", False):
        roles.retrieve_glue_data = _retrieve(roles.retrieve_glue_data)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
