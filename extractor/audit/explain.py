"""`radpath explain DIR ID`: the audit trace of one patient or one report in the terminal — values, the rule
behind each, the evidence mentions with their sentence, triggers and rule ids, and definition verdicts.
Whole report texts are printed only when asked (show_text). Report words are passed to rich as Text objects,
never as markup, so a report cannot inject rich markup either; and control characters in ids and text (terminal
escape sequences, carriage returns, bidirectional overrides) are printed as visible symbols."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text as RichText

from .data import ATTRIBUTES, MODIFIERS, AuditData, AuditError
from .patientview import PatientView, patient_view
from .reportview import ReportView, mention_spans, report_view, section_spans
from .safety import terminal_safe


class Text(RichText):
    """rich's Text with terminal escape sequences and other control characters in ids and report words made
    visible (:func:`extractor.audit.safety.terminal_safe`): what is printed is data, never a command."""

    def __init__(self, text: str = "", *args, **kwargs):
        super().__init__(terminal_safe(str(text)), *args, **kwargs)

    def append(self, text, style=None):
        return super().append(terminal_safe(text) if isinstance(text, str) else text, style)

STATUS_STYLE = {"affirmed": "bold green", "negated": "bold red", "uncertain": "bold yellow", "excluded": "dim"}


def _mentions_by_report(data: AuditData, report_ids: set[str]) -> dict[str, list[dict]]:
    frame = data.mentions[data.mentions["report_id"].isin(report_ids)].sort_values(["report_id", "mention_index"])
    out: dict[str, list[dict]] = {}
    for record in frame.to_dict("records"):
        out.setdefault(record["report_id"], []).append(record)
    return out


def _rkeys(data: AuditData) -> dict[str, str]:
    return {rid: f"r{i}" for i, rid in enumerate(data.reports["report_id"])}


def resolve(data: AuditData, ident: str) -> tuple[str, str]:
    """("patient" | "report", id). A patient id wins when an id names both."""
    patients = set(data.reports["patient_id"])
    if data.patients is not None:
        patients |= set(data.patients["patient_id"])
    if ident in patients:
        return "patient", ident
    if ident in set(data.reports["report_id"]):
        return "report", ident
    raise AuditError(f"{ident!r} is neither a patient id nor a report id in {data.directory}")


def mention_table(mentions: list[dict]) -> Table:
    table = Table(show_lines=False, pad_edge=False, expand=False)
    for column in ("#", "label", "text", "offsets", "section", "status", "rule", "triggers / cues"):
        table.add_column(column, overflow="fold")
    for m in mentions:
        cues = []
        for key in MODIFIERS:
            if m.get(key) is True:
                cues.append(f"{key}: '{m.get(key + '_trigger', '')}'@{m.get(key + '_trigger_start', '')} {m.get(key + '_rule', '')}")
        for key in ATTRIBUTES:
            if m.get(key):
                cue = f" '{m.get(key + '_trigger')}'" if m.get(key + "_trigger") else ""
                cues.append(f"{key}={m[key]}{cue} {m.get(key + '_rule', '')} [{m.get(key + '_source', '')}]".strip())
        status = Text(str(m.get("status", "")), style=STATUS_STYLE.get(m.get("status"), ""))
        if m.get("status_reason"):
            status.append(f"\n{m['status_reason']}", style="dim")
        table.add_row(Text(str(m["mention_index"])), Text(str(m.get("label", ""))), Text(str(m.get("text", ""))),
                      Text(f"{m.get('start_char')}–{m.get('end_char')}"), Text(str(m.get("section", ""))), status,
                      Text(str(m.get("rule_id", ""))), Text("\n".join(cues)))
    return table


def print_report(console: Console, data: AuditData, view: ReportView, *, show_text: bool) -> None:
    header = Text(f"{view.report_id}", style="bold")
    header.append(f"  {view.kind}  {view.date}  patient {view.patient_id}")
    if view.roles:
        header.append(f"  [{', '.join(view.roles)}]", style="cyan")
    console.rule(header)
    by_index = {int(m["mention_index"]): m for m in view.mentions}
    if view.fields:
        table = Table(title="fields", title_justify="left", pad_edge=False)
        for column in ("field", "value", "rule", "evidence (mention: sentence)"):
            table.add_column(column, overflow="fold")
        for f in view.fields:
            cited = []
            for anchor_id, _ in f.evidence:
                idx = int(anchor_id.rsplit("-m", 1)[1])
                m = by_index[idx]
                cited.append(f"#{idx} '{m.get('text', '')}' ({m.get('status', '')}): {str(m.get('sentence', '')).strip()}")
            table.add_row(Text(f.name), Text(f.value or "–", style="bold"), Text(f.rule), Text("\n".join(cited)))
        console.print(table)
    if view.mentions:
        console.print(Text("mentions", style="italic"))
        console.print(mention_table(view.mentions))
    if show_text:
        text = data.text_of(view.report_id)
        if text is None:
            console.print(Text("report text not available (give --input)", style="yellow"))
        else:
            console.print(highlighted_text(text, view))


def highlighted_text(text: str, view: ReportView) -> Text:
    """The report text as a rich Text, styled by the same offsets the page uses."""
    out = Text(text)
    for span in section_spans(text):
        out.stylize("bold reverse", span.start, span.end)
    for span in mention_spans(text, view.mentions, view.rkey):
        classes = set(span.classes)
        if "m" in classes:
            style = "strike red" if "st-negated" in classes else ("italic yellow" if "st-uncertain" in classes
                                                                  else ("dim" if "st-excluded" in classes else "bold green"))
        elif "trig" in classes:
            style = "underline bold magenta"
        else:
            style = "underline blue"
        out.stylize(style, span.start, span.end)
    return out


def print_patient(console: Console, data: AuditData, view: PatientView, *, show_text: bool) -> None:
    console.rule(Text(f"patient {view.patient_id}", style="bold"))
    if not view.row:
        console.print(Text("not linked (no patients table, or no ultrasound): reports only", style="yellow"))
    else:
        table = Table(show_header=False, pad_edge=False, box=None)
        for key, value in view.row.items():
            if value and key != "patient_id" and not key.startswith("def_"):
                table.add_row(Text(key, style="dim"), Text(str(value)))
        console.print(table)
    for d in view.definitions:
        verdict = Text("MEETS " if d.verdict else "does not meet ", style="bold green" if d.verdict else "bold")
        verdict.append(f"{d.definition.title} ({d.definition.id})")
        console.print(verdict)
        for c in d.criteria:
            mark = {True: "✔", False: "✘", None: "?"}[c.met]
            group = f"[{c.group}] " if c.group else ""
            line = Text(f"   {mark} {group}{c.field} {c.expected}: {c.value or '(empty)'}")
            evidence = [label for _, label in c.evidence]
            if evidence:
                line.append(f"  ← {'; '.join(evidence)}", style="dim")
            if c.note:
                line.append(f"  ({c.note})", style="yellow")
            console.print(line)
    for report in view.reports:
        print_report(console, data, report, show_text=show_text)


def explain(data: AuditData, ident: str, *, show_text: bool = False, console: Console | None = None) -> str:
    """Print the trace of patient or report ``ident``; returns "patient" or "report"."""
    console = console or Console()
    kind, ident = resolve(data, ident)
    rkeys = _rkeys(data)
    if kind == "report":
        record = data.reports[data.reports["report_id"] == ident].iloc[0].to_dict()
        mentions = _mentions_by_report(data, {ident}).get(ident, [])
        view = report_view(data, record, mentions, rkeys[ident], with_text=False)
        if data.patients is not None:
            row = data.patients[data.patients["patient_id"] == record["patient_id"]]
            if len(row):
                row = row.iloc[0].to_dict()
                view.roles = [role for column, role in (("index_us_report_id", "index ultrasound"),
                                                       ("fna_report_id", "linked cytology"),
                                                       ("surgery_report_id", "linked surgery"))
                              if row.get(column) == ident]
        print_report(console, data, view, show_text=show_text)
        return kind
    reports = data.reports[data.reports["patient_id"] == ident]
    row = {}
    if data.patients is not None:
        found = data.patients[data.patients["patient_id"] == ident]
        row = found.iloc[0].to_dict() if len(found) else {}
    mentions = _mentions_by_report(data, set(reports["report_id"]))
    # texts are not needed for the trace: mentions carry their sentences
    saved, data.texts = data.texts, (data.texts if show_text else None)
    try:
        view = patient_view(data, ident, row, reports, mentions, rkeys)
    finally:
        data.texts = saved
    print_patient(console, data, view, show_text=show_text)
    return kind
