#!/usr/bin/env python3
"""Embeds botocore service models (service-2.json or .json.gz) into a C++ source for zk_aws.

Usage: embed_models.py --out FILE.cc SERVICE=PATH [SERVICE=PATH ...]

Each model is re-serialised minified with its "documentation"/"documentationUrl" strings dropped (they are
~60% of the bytes and unused at run time); everything else, including member order, is kept. The output
defines zk::aws::embeddedModelJson() and zk::aws::embeddedModelNames() declared in src/aws/model.h.
"""
import argparse
import gzip
import json
import sys

DROP_KEYS = {"documentation", "documentationUrl"}


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP_KEYS}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def c_literal(text, width=120):
    # ensure_ascii output: only printable ASCII; escape backslash and quote, split into lines.
    esc = text.replace("\\", "\\\\").replace('"', '\\"')
    lines = []
    i = 0
    while i < len(esc):
        j = min(i + width, len(esc))
        while j > i and esc[j - 1] == "\\" and (j - i) > 1:  # never split inside an escape
            j -= 1
        lines.append('    "' + esc[i:j] + '"')
        i = j
    return "\n".join(lines) if lines else '    ""'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("models", nargs="+", help="service=path/to/service-2.json[.gz]")
    args = ap.parse_args()

    entries = []
    for spec in args.models:
        service, _, path = spec.partition("=")
        if not service or not path:
            sys.exit("bad model spec %r (want service=path)" % spec)
        model = strip(load(path))
        text = json.dumps(model, separators=(",", ":"), ensure_ascii=True)
        entries.append((service, model.get("metadata", {}).get("apiVersion", ""), path, text))

    out = []
    out.append("// Botocore service models embedded at build time by tools/embed_models.py. Generated; do not edit.")
    out.append('#include "aws/model.h"')
    out.append("")
    out.append("namespace zk::aws {")
    out.append("namespace {")
    out.append("")
    for i, (service, version, path, text) in enumerate(entries):
        out.append("// %s %s from %s (%d bytes)" % (service, version, path, len(text)))
        out.append("constexpr char kModel%d[] =" % i)
        out.append(c_literal(text) + ";")
        out.append("")
    out.append("struct EmbeddedModel {")
    out.append("  std::string_view service;")
    out.append("  std::string_view json;")
    out.append("};")
    out.append("")
    out.append("constexpr EmbeddedModel kEmbedded[] = {")
    for i, (service, _, _, _) in enumerate(entries):
        out.append('    {"%s", std::string_view(kModel%d, sizeof(kModel%d) - 1)},' % (service, i, i))
    out.append("};")
    out.append("")
    out.append("}  // namespace")
    out.append("")
    out.append("std::string_view embeddedModelJson(std::string_view service) {")
    out.append("  for (const auto& m : kEmbedded) {")
    out.append("    if (m.service == service) return m.json;")
    out.append("  }")
    out.append("  return {};")
    out.append("}")
    out.append("")
    out.append("std::vector<std::string> embeddedModelNames() {")
    out.append("  std::vector<std::string> names;")
    out.append("  for (const auto& m : kEmbedded) names.emplace_back(m.service);")
    out.append("  return names;")
    out.append("}")
    out.append("")
    out.append("}  // namespace zk::aws")
    content = "\n".join(out) + "\n"

    # Write only on change so dependents are not rebuilt needlessly.
    try:
        with open(args.out, "r", encoding="utf-8") as f:
            if f.read() == content:
                return
    except OSError:
        pass
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(content)


if __name__ == "__main__":
    main()
