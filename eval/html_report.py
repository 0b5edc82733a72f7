"""A self-contained HTML page for one eval run: inline CSS and SVG, no scripts, no external assets.

Every piece of text is escaped: answers and quotes come from articles, which may contain markup.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d1d1f;max-width:1400px}
h1{font-size:22px;margin:0 0 8px} h2{font-size:17px;margin:28px 0 8px}
.verdict{padding:12px 16px;border-radius:6px;font-weight:600;margin:12px 0}
.verdict.pass{background:#e3f4e6;color:#14532d} .verdict.fail{background:#fde2e1;color:#7f1d1d}
.verdict ul{margin:6px 0 0;font-weight:400}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid #d8d8dc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f5} td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.regressed td,tr.fail td{background:#fff1f0} tr.improved td{background:#eefaf0}
.badge{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;font-weight:600}
.badge.fail{background:#dc2626;color:#fff} .badge.pass{background:#16a34a;color:#fff}
.badge.new{background:#7c2d12;color:#fff} .badge.fixed{background:#1d4ed8;color:#fff}
.reasons{margin:0;padding-left:18px;color:#991b1b} .muted{color:#6b6b70}
.failing{columns:2;column-gap:32px;padding-left:18px} .failing li{break-inside:avoid}
.cite{margin:2px 0} .cite.bad{color:#991b1b} blockquote{margin:2px 0 6px 12px;color:#3a3a3c}
"""
CATEGORY_COLUMNS = (
    ("n_questions", "n"),
    ("recall_at_5", "recall@5"),
    ("mrr", "MRR"),
    ("citation_precision", "citation precision"),
    ("key_fact_coverage", "key facts"),
    ("trap_abstention_rate", "trap abstention"),
    ("false_abstention_rate", "false abstention"),
    ("answer_contains_and_cites", "answer ✓ + cites"),
    ("answer_words_mean", "words"),
)
STATUS_COLOURS = {"regressed": "#dc2626", "improved": "#16a34a", "ok": "#2563eb"}


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return esc(value)


def bar_chart(rows: Sequence[Mapping[str, Any]]) -> str:
    """Horizontal bars: this run (coloured by status) above the baseline (grey) per metric, with
    a dashed line at the threshold (baseline ∓ tolerance) the run must not cross. Rates are
    drawn on 0..1; a metric above 1 (answer words) on its own axis."""
    label_w, plot_w, row_h = 190, 460, 46
    height = row_h * len(rows) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 90}" '
        f'height="{height}" role="img" aria-label="metrics versus baseline">'
    ]
    for i, row in enumerate(rows):
        y = 10 + i * row_h
        value = row["value"]
        # rates share a 0..1 axis; a count (answer words) gets its own
        scale = max(1.0, float(value or 0), float(row["baseline"]) + float(row["tolerance"]))
        width_now = 0.0 if value is None else plot_w * float(value) / scale
        width_base = plot_w * float(row["baseline"]) / scale
        sign = -1 if row["direction"] == "higher" else 1
        threshold = float(row["baseline"]) + sign * float(row["tolerance"])
        tx = label_w + plot_w * min(max(threshold, 0.0), scale) / scale
        colour = STATUS_COLOURS.get(str(row["status"]), "#2563eb")
        arrow = "↑" if row["direction"] == "higher" else "↓"
        parts += [
            f'<text x="0" y="{y + 17}" font-size="13">{esc(row["metric"])} {arrow}</text>',
            f'<rect x="{label_w}" y="{y}" width="{width_now:.1f}" height="16" fill="{colour}"/>',
            f'<text x="{label_w + width_now + 6:.1f}" y="{y + 13}" font-size="12">'
            f"{num(value)} (run)</text>",
            f'<rect x="{label_w}" y="{y + 19}" width="{width_base:.1f}" height="12" '
            f'fill="#a1a1aa"/>',
            f'<text x="{label_w + width_base + 6:.1f}" y="{y + 30}" font-size="11" '
            f'fill="#52525b">{num(row["baseline"])} (baseline)</text>',
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y - 2}" y2="{y + 34}" stroke="#111" '
            f'stroke-dasharray="3,2"/>',
        ]
    parts.append(
        f'<text x="{label_w}" y="{height - 4}" font-size="11" fill="#52525b">'
        "dashed line: baseline ∓ tolerance; ↑ higher is better, ↓ lower is better</text></svg>"
    )
    return "".join(parts)


def metric_table(report: Mapping[str, Any]) -> str:
    gated = {r["metric"] for r in report["gate"]["rows"]}
    head = "<tr><th>metric</th><th>value</th><th>baseline</th><th>delta</th><th>status</th></tr>"
    body = [
        f'<tr class="{esc(r["status"])}"><td>{esc(r["metric"])}</td>'
        f'<td class="num">{num(r["value"], 4)}</td><td class="num">{num(r["baseline"], 4)}</td>'
        f'<td class="num">{num(r["delta"], 4)}</td><td>{esc(r["status"])}</td></tr>'
        for r in report["gate"]["rows"]
    ]
    body += [
        f'<tr><td>{esc(k)}</td><td class="num">{num(v, 4)}</td><td></td><td></td>'
        f'<td class="muted">reported only</td></tr>'
        for k, v in report["summary"].items()
        if k not in gated
    ]
    return f"<table>{head}{''.join(body)}</table>"


def category_table(by_category: Mapping[str, Mapping[str, Any]]) -> str:
    head = "<tr><th>category</th>" + "".join(f"<th>{esc(t)}</th>" for _, t in CATEGORY_COLUMNS)
    rows = [
        f"<tr><td>{esc(c)}</td>"
        + "".join(f'<td class="num">{num(values.get(k))}</td>' for k, _ in CATEGORY_COLUMNS)
        + "</tr>"
        for c, values in by_category.items()
    ]
    return f"<table>{head}</tr>{''.join(rows)}</table>"


def _citations(citations: Sequence[Mapping[str, Any]]) -> str:
    out = []
    for c in citations:
        verdict = "✓" if c.get("correct") else f"✗ {esc(c.get('problem'))}"
        klass = "cite" if c.get("correct") else "cite bad"
        out.append(
            f'<div class="{klass}">[{esc(c.get("id"))}] {esc(c.get("document_id"))} '
            f"{esc(c.get('start'))}:{esc(c.get('end'))} {verdict}"
            f"<blockquote>{esc(c.get('quote'))}</blockquote></div>"
        )
    return "".join(out) or '<span class="muted">none</span>'


def question_rows(questions: Sequence[Mapping[str, Any]]) -> str:
    head = (
        "<tr><th>status</th><th>question</th><th>answer</th><th>citations</th>"
        "<th>why it failed</th></tr>"
    )
    rows = []
    for q in questions:
        badge = (
            '<span class="badge pass">PASS</span>'
            if q["passed"]
            else ('<span class="badge fail">FAIL</span>')
        )
        if q.get("change") == "new failure":
            badge += ' <span class="badge new">NEW</span>'
        elif q.get("change") == "fixed":
            badge += ' <span class="badge fixed">FIXED</span>'
        reasons = "".join(f"<li>{esc(r)}</li>" for r in q["failures"])
        rows.append(
            f'<tr class="{"pass" if q["passed"] else "fail"}" id="q-{esc(q["id"])}">'
            f'<td>{badge}<br>{esc(q["id"])}<br><span class="muted">{esc(q["category"])}</span></td>'
            f'<td>{esc(q["question"])}<br><span class="muted">expected: '
            f"{esc(', '.join(q['expected_doc_ids']) or 'abstain')}</span></td>"
            f"<td>{esc(q['answer'])}{' <em>(abstained)</em>' if q['abstained'] else ''}</td>"
            f"<td>{_citations(q['citations'])}</td>"
            f'<td><ul class="reasons">{reasons}</ul></td></tr>'
        )
    return f"<table>{head}{''.join(rows)}</table>"


def failing_summary(questions: Sequence[Mapping[str, Any]]) -> str:
    """A line per failing question (new failures first) linking to its row: the 10-second view."""
    new = ' <span class="badge new">NEW</span>'
    items = [
        f'<li><a href="#q-{esc(q["id"])}">{esc(q["id"])}</a>'
        f"{new if q.get('change') == 'new failure' else ''} "
        f'<span class="muted">{esc(q["category"])}</span> — {esc("; ".join(q["failures"][:2]))}'
        f"{' …' if len(q['failures']) > 2 else ''}</li>"
        for q in questions
        if not q["passed"]
    ]
    return f'<ul class="failing">{"".join(items)}</ul>' if items else "<p>none</p>"


def render_html(report: Mapping[str, Any]) -> str:
    gate, meta, questions = report["gate"], report["meta"], report["questions"]
    failing = sum(not q["passed"] for q in questions)
    new = sum(q.get("change") == "new failure" for q in questions)
    verdict = "pass" if gate["passed"] else "fail"
    regressions = "".join(f"<li>{esc(text)}</li>" for text in gate["regressions"])
    headline = "PASS: no gating metric regressed" if gate["passed"] else "FAIL: gate regressed"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Eval report {esc(meta['run'])}</title><style>{CSS}</style></head><body>"
        f"<h1>Eval report {esc(meta['run'])}</h1>"
        f'<p class="muted">{esc(meta["target"])} · golden {esc(meta["golden"])} · top_k '
        f"{esc(meta['top_k'])} · retrieval {esc(meta.get('retrieval_mode'))} · "
        f"{esc(meta['created_at'])} · compared with previous run "
        f"{esc(meta.get('previous_run') or 'none')}</p>"
        f'<div class="verdict {verdict}">{headline} · {failing} of {len(questions)} questions '
        f"failing ({new} new)<ul>{regressions}</ul></div>"
        f"<h2>Gating metrics vs baseline</h2>{bar_chart(gate['rows'])}"
        f"<h2>Failing questions</h2>{failing_summary(questions)}"
        f"<h2>All metrics</h2>{metric_table(report)}"
        f"<h2>By category</h2>{category_table(report['by_category'])}"
        f"<h2>Questions (failures first)</h2>{question_rows(questions)}"
        "</body></html>\n"
    )
