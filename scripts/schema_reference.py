#!/usr/bin/env python3
"""Renders `implicitdiff schema` as the README's per-kind field reference (Markdown).

    python3 scripts/schema_reference.py .build/release/implicitdiff > /tmp/ref.md

With --update README.md, replaces the text between the markers
`<!-- schema-reference:begin -->` and `<!-- schema-reference:end -->` in that file.
"""
import json
import subprocess
import sys


def render(doc):
    out = []
    for k in doc["kinds"]:
        out.append(f"#### `{k['kind']}` ({k['module']}, status `{k['status']}`)\n")
        out.append(f"{k['summary']}.\n")
        out.append("| | name | type | shape | |")
        out.append("|---|---|---|---|---|")
        for section, label in (("data", "data"), ("outputs", "output"), ("parameters", "parameter"), ("options", "option")):
            for f in k[section]:
                req = "" if f.get("required", True) or section != "data" else " (optional)"
                out.append(f"| {label} | `{f['name']}` | {f['type']} | {f.get('shape', '')} | {f['description']}{req} |")
        out.append("")
    return "\n".join(out)


def main():
    binary = sys.argv[1]
    doc = json.loads(subprocess.run([binary, "schema"], check=True, capture_output=True, text=True).stdout)
    text = render(doc)
    if len(sys.argv) > 3 and sys.argv[2] == "--update":
        path = sys.argv[3]
        readme = open(path).read()
        begin, end = "<!-- schema-reference:begin -->", "<!-- schema-reference:end -->"
        i, j = readme.index(begin) + len(begin), readme.index(end)
        open(path, "w").write(readme[:i] + "\n" + text + "\n" + readme[j:])
    else:
        print(text)


if __name__ == "__main__":
    main()
