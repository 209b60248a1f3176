"""``python -m helpers.zoo build [NAME ...] [--force] [--jobs N] [--no-deps] | verify [NAME ...] | list
| export-repos DIR [NAME ...]``"""

from __future__ import annotations

import argparse
import sys

from . import REGISTRY, ZooError, build, read_manifest, verify, zoo_dir


def _scores(info: dict) -> str:
    scores = info.get("scores") or {}
    return ", ".join(f"{k} {v}" for k, v in scores.items()) or "-"


def list_table() -> str:
    manifest = read_manifest()
    rows = [("name", "built", "build s", "what it is", "source", "held-out scores")]
    for name, entry in REGISTRY.items():
        info = manifest.get(name)
        src = ", ".join(f"{s['package']}=={s['version']}" for s in (info or {}).get("sources", [])) or "-"
        src = (info or {}).get("source_summary") or src  # e.g. "pkg-part1 … pkg-part6 ==1.0" for split files
        if src == "-" and info and "base" in info:  # a task head the book trained: no package of its own
            src = f"trained on {info['base']['zoo_entry']}"
        seconds = f"{info['build_seconds']:.0f}" if info and "build_seconds" in info else "-"
        rows.append((name, "yes" if info else "no", seconds, entry.title, src, _scores(info or {})))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return f"zoo: {zoo_dir()}\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.zoo", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build missing entries (all, or those named) and their dependencies")
    b.add_argument("names", nargs="*")
    b.add_argument("--force", action="store_true", help="rebuild the named entries even when present")
    b.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        help="build up to this many independent entries at the same time, one process each (default 1)",
    )
    b.add_argument(
        "--no-deps", action="store_true", help="build only the named entries (their dependencies must be built already)"
    )
    v = sub.add_parser("verify", help="re-hash every file against the manifest")
    v.add_argument("names", nargs="*")
    sub.add_parser("list", help="print the zoo as a table")
    e = sub.add_parser("export-repos", help="write every built entry as a hub-style git repository under DIR")
    e.add_argument("dest", metavar="DIR")
    e.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    try:
        if args.cmd == "build":
            if args.jobs < 1:
                parser.error("--jobs must be at least 1")
            from ..chapters import BUILD_SECONDS

            build(args.names or None, force=args.force, jobs=args.jobs, deps=not args.no_deps, seconds=BUILD_SECONDS)
            if not args.no_deps:  # a worker of a parallel build: the parent prints the table
                print(list_table())
        elif args.cmd == "verify":
            problems = verify(args.names or None)
            for p in problems:
                print(p)
            if problems:
                return 1
            print(f"zoo: every file of {len(args.names or REGISTRY)} entries matches the manifest")
        elif args.cmd == "export-repos":
            from ..hub_repos import export_repos

            export_repos(args.dest, args.names or None)
        else:
            print(list_table())
    except (ZooError, KeyError) as err:
        print(f"zoo: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
