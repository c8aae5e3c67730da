#!/usr/bin/python3
# Summary and Markdown/text rendering of an NSD differential run (nsd_diff.py); also a CLI on its JSON.
"""Usage: diff_report.py BUILD/test/integration/dns-report/nsd-diff.json > nsd-diff.md

`summarize()` turns the per-query results of nsd_diff.py into a JSON-able dict: counts, how often
each ALLOWLIST rule applied, the failing differences grouped by kind (with example queries), and
the first N failing queries with both responses in presentation format. `render_markdown()` and
`render_text()` print that dict for the coordinator and for ctest's log respectively.
"""
from __future__ import annotations

import collections
import json
import re
import sys


def _signature(diffs) -> str:
    """A short key grouping failures of the same kind: categories plus a normalised detail."""
    parts = []
    for d in diffs:
        detail = re.sub(r"\d+ missing, \d+ extra", "", d.detail).strip()
        detail = re.sub(r"query id \d+, candidate replied with id \d+", "wrong id", detail)
        if d.category in ("answer", "authority", "additional"):
            kinds = sorted({f"-{_t(rr)}" for rr in d.missing} | {f"+{_t(rr)}" for rr in d.extra})
            detail = " ".join(kinds)
        parts.append(f"{d.category}[{detail}]" if detail else d.category)
    return "; ".join(parts)


def _t(rr) -> str:
    import dns.rdatatype
    return dns.rdatatype.to_text(rr.rtype)


def summarize(results, failing, allowlist, ref_raw, cand_raw, *, reference: str, candidate: str,
              seed: int, elapsed: float, msg_text, max_items: int = 25) -> dict:
    allowed: dict = {r["id"]: {"rfc": r["rfc"], "why": r["why"], "count": 0, "examples": []}
                     for r in allowlist}
    identical = 0
    transports = collections.Counter()
    for q, _ref, _cand, diffs in results:
        transports[q.transport] += 1
        if not diffs:
            identical += 1
        for d in diffs:
            if d.allowed_by:
                a = allowed[d.allowed_by]
                a["count"] += 1
                if len(a["examples"]) < 3 and q.desc not in a["examples"]:
                    a["examples"].append(q.desc)
    by_category = collections.Counter()
    groups: dict = collections.OrderedDict()
    for q, _r, _c, diffs in failing:
        for d in diffs:
            by_category[d.category] += 1
        sig = _signature(diffs)
        g = groups.setdefault(sig, {"signature": sig, "count": 0, "examples": []})
        g["count"] += 1
        if len(g["examples"]) < 4:
            g["examples"].append(q.desc)
    items = []
    for q, ref, cand, diffs in failing[:max_items]:
        items.append({
            "query": q.desc,
            "transport": q.transport,
            "query_hex": q.wire.hex() if len(q.wire) < 120 else q.wire[:120].hex() + "...",
            "diffs": [{"category": d.category, "detail": d.detail,
                       "missing": [ref.text.get(rr, str(rr)) for rr in d.missing],
                       "extra": [cand.text.get(rr, str(rr)) for rr in d.extra]} for d in diffs],
            "reference": msg_text(ref_raw[q.idx]),
            "reference_stripped": [ref.text.get(rr, str(rr)) for rr in ref.stripped],
            "candidate": msg_text(cand_raw[q.idx]),
        })
    return {
        "reference": reference, "candidate": candidate, "seed": seed,
        "elapsed_s": round(elapsed, 2), "queries": len(results),
        "transports": dict(transports), "identical": identical,
        "allowed_differences": sum(a["count"] for a in allowed.values()),
        "failing_queries": len(failing), "failing_by_category": dict(by_category),
        "allowlist": allowed, "groups": list(groups.values()), "first_failures": items,
    }


def render_text(s: dict, max_items: int = 25) -> str:
    out = [f"NSD differential: reference {s['reference']} vs candidate {s['candidate']}, "
           f"seed {s['seed']}, {s['queries']} queries {s['transports']}, {s['elapsed_s']} s",
           f"  identical: {s['identical']}; allowlisted differences: {s['allowed_differences']}; "
           f"FAILING queries: {s['failing_queries']}"]
    for rid, a in s["allowlist"].items():
        if a["count"]:
            out.append(f"  allowed {rid} ({a['rfc']}): {a['count']}")
    if s["failing_queries"]:
        out.append(f"  failing by category: {s['failing_by_category']}")
        out.append("  kinds of failure (count, signature, examples):")
        for g in s["groups"]:
            out.append(f"    {g['count']:5d}  {g['signature']}")
            for e in g["examples"]:
                out.append(f"             e.g. {e}")
        out.append(f"\nFirst {min(max_items, len(s['first_failures']))} failing queries:")
        for i, it in enumerate(s["first_failures"][:max_items], 1):
            out.append(f"\n==== #{i}: {it['query']}   (query {it['query_hex']})")
            for d in it["diffs"]:
                out.append(f"  DIFF {d['category']}: {d['detail']}")
                for m in d["missing"]:
                    out.append(f"      only in NSD:       {m}")
                for x in d["extra"]:
                    out.append(f"      only in candidate: {x}")
            out.append("  --- reference (NSD) response:")
            out.extend("    " + ln for ln in it["reference"].splitlines())
            if it["reference_stripped"]:
                out.append("    (normalised away: apex NS + its glue: "
                           f"{len(it['reference_stripped'])} RRs)")
            out.append("  --- candidate response:")
            out.extend("    " + ln for ln in it["candidate"].splitlines())
    return "\n".join(out)


def render_markdown(s: dict) -> str:
    out = [f"# DNS differential test: {s['candidate']} vs NSD", "",
           f"Reference: {s['reference']}. Seed {s['seed']}, {s['queries']} queries "
           f"({', '.join(f'{k} {v}' for k, v in s['transports'].items())}), {s['elapsed_s']} s.", "",
           "| result | queries |", "|---|---|",
           f"| identical | {s['identical']} |",
           f"| differing only in allowlisted ways | "
           f"{s['queries'] - s['identical'] - s['failing_queries']} |",
           f"| **failing** | **{s['failing_queries']}** |", ""]
    out += ["## Allowlisted differences", "", "| rule | RFC | count | why | example |",
            "|---|---|---|---|---|"]
    for rid, a in s["allowlist"].items():
        ex = a["examples"][0] if a["examples"] else ""
        out.append(f"| {rid} | {a['rfc']} | {a['count']} | {a['why']} | `{ex}` |")
    out.append("")
    if s["failing_queries"]:
        out += ["## Failing differences by kind", "", "| count | signature | example queries |",
                "|---|---|---|"]
        for g in s["groups"]:
            ex = "<br>".join(f"`{e}`" for e in g["examples"])
            out.append(f"| {g['count']} | `{g['signature']}` | {ex} |")
        out += ["", f"## First {len(s['first_failures'])} failing queries", ""]
        for i, it in enumerate(s["first_failures"], 1):
            out.append(f"### {i}. `{it['query']}`")
            for d in it["diffs"]:
                out.append(f"- **{d['category']}**: {d['detail']}")
                out += [f"  - only NSD: `{m}`" for m in d["missing"]]
                out += [f"  - only candidate: `{x}`" for x in d["extra"]]
            out += ["", "<details><summary>responses</summary>", "", "NSD:", "```",
                    it["reference"], "```", "Candidate:", "```", it["candidate"], "```",
                    "</details>", ""]
    else:
        out.append("No failing differences.")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1]) as f:
        sys.stdout.write(render_markdown(json.load(f)))
