"""A Sphinx extension for the API reference page (``book/api.md``): the
helpers' "Defined in" become links.

Every helper docstring says where the book teaches it, e.g.
``Defined in chapter 5 (``book/05_classification_and_qa.ipynb``,
"Extractive question answering")``
(``tests/test_defined_in.py`` checks that the heading exists). While autodoc
reads a docstring, each such reference becomes
``:ref:`chapter 5, "Extractive question answering"
<book/05_classification_and_qa:...>```, a label that
``sphinx.ext.autosectionlabel`` (with ``autosectionlabel_prefix_document``)
gives every heading, so the strict build (``-n``) fails on a heading that is
gone.

Two more things for autodoc: public functions and classes without a docstring
are listed too (module data only when it has a ``#:`` comment), and when the
staged book sits inside a checkout (``_site/`` at the repository root, as
``make book`` stages it) that checkout's ``helpers`` is the one imported, not
whichever copy happens to be installed. Loaded through
``sphinx.local_extensions`` in ``_config.yml``.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from pathlib import Path

# chapter 5 (``book/05_x.ipynb``, "Heading")
#   |  the appendix (``book/appendix_x.ipynb``, "Heading")
REFERENCE = re.compile(
    r"(?P<where>chapter\s+\d+|the\s+appendix)\s+"
    r"\(``(?P<notebook>book/[^`]+)\.ipynb``,\s+"
    r'"(?P<heading>[^"]+)"\)'
)


def link(match: re.Match) -> str:
    where, heading = (
        " ".join(match["where"].split()),
        " ".join(match["heading"].split()),
    )
    return f':ref:`{where}, "{heading}" <{match["notebook"]}:{heading}>`'


def link_references(text: str) -> str:
    """Each chapter reference in ``text`` as a ``:ref:`` to that heading's
    autosectionlabel label."""
    return REFERENCE.sub(link, text)


def process_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    text = "\n".join(lines)
    linked = link_references(text)
    if linked != text:
        lines[:] = linked.split("\n")
    if what == "module" and any(line.strip() for line in lines):
        # a module's docstring has no element of its own (a function's has):
        # the browser check of the Chinese edition tells the docstrings
        # (English in both editions) from the translated text by this class
        lines[:] = [".. container:: hfbook-docstring", ""] + [
            f"   {line}" if line else "" for line in lines
        ]


def keep_undocumented_code(app, what, name, obj, skip, options):
    """List public functions and classes even without a docstring; leave every
    other decision to autodoc."""
    if (
        not skip
        or name.startswith("_")
        or not (inspect.isfunction(obj) or inspect.isclass(obj))
    ):
        return None
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    public = getattr(module, "__all__", None)
    if public is not None and name not in public:
        return None
    return False


def _lookup(dotted: str, module: str | None):
    """The object a docstring names: ``dotted`` in ``module``'s namespace
    (imported names too), or absolute."""
    parts = dotted.split(".")
    for obj, path in (
        (sys.modules.get(module or ""), parts),
        (sys.modules.get(parts[0]), parts[1:]),
    ):
        for part in path:
            obj = getattr(obj, part, None)
        if obj is not None:
            return obj
    return None


def resolve_helper_names(app, env, node, contnode):
    """Resolve a helper docstring's name that the Python domain doesn't find as
    written.

    ``:class:`BuildFailed``` inside ``helpers.zoo.tasks`` (imported there from
    ``helpers.zoo.core``) links to the class where it is defined. A name that
    exists but has no entry on the page (module data without a ``#:``
    comment) is shown as plain code. Any other unknown name is left to Sphinx,
    which warns (``-n``).
    """
    if node.get("refdomain") != "py" or not str(
        node.get("py:module") or ""
    ).startswith("helpers"):
        return None
    target = node["reftarget"].lstrip("~.")
    obj = _lookup(target, node.get("py:module"))
    if obj is None:
        return None
    home, qualname = (
        getattr(obj, "__module__", None),
        getattr(obj, "__qualname__", None),
    )
    if (
        isinstance(home, str)
        and isinstance(qualname, str)
        and f"{home}.{qualname}" != target
    ):
        found = env.domains["py"].resolve_xref(
            env,
            node["refdoc"],
            app.builder,
            node["reftype"],
            f"{home}.{qualname}",
            node,
            contnode,
        )
        if found is not None:
            return found
    if inspect.ismodule(obj) or inspect.isclass(obj) or inspect.isroutine(obj):
        # a module, class or function that should have had an entry: let
        # Sphinx warn
        return None
    return contnode


def use_this_checkout(app) -> None:
    root = Path(app.srcdir).resolve().parent
    if (root / "helpers" / "__init__.py").is_file() and str(
        root
    ) not in sys.path:
        sys.path.insert(0, str(root))


def find_source_with_data(app, modname: str):
    """viewcode's source and tags of a helpers module, with its module-level
    assignments added: a data entry (``#:`` comment) gets its [source] link
    like a function (viewcode alone tags only functions and classes)."""
    if not modname.startswith("helpers"):
        return None
    from sphinx.pycode import ModuleAnalyzer

    try:
        analyzer = ModuleAnalyzer.for_module(modname)
        analyzer.find_tags()
        tree = ast.parse(analyzer.code)
    except Exception:
        return None
    tags = dict(analyzer.tags)
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id not in tags:
                tags[target.id] = ("other", node.lineno, node.end_lineno)
    return analyzer.code, tags


def follow_module_data(app, modname: str, fullname: str):
    """The module of a helpers data entry (a dict or tuple has no
    ``__module__``, so viewcode would give up on it): its own module when the
    name is assigned there."""
    if not modname or not modname.startswith("helpers") or "." in fullname:
        return None
    found = find_source_with_data(app, modname)
    if found and found[1].get(fullname, ("",))[0] == "other":
        return modname
    return None


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.connect("builder-inited", use_this_checkout)
    app.connect("autodoc-process-docstring", process_docstring)
    app.connect("autodoc-skip-member", keep_undocumented_code)
    app.connect("missing-reference", resolve_helper_names)
    app.setup_extension("sphinx.ext.viewcode")
    app.connect("viewcode-find-source", find_source_with_data)
    app.connect("viewcode-follow-imported", follow_module_data)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
