"""The plain-text summary copied to the clipboard for a chat or a ticket: it renders an `Answer`.

Whole translated sentences: what ran where, what the user reported, the verdict, each cause with the
steps that fix it and what follows from it. Evidence is left out on purpose.
"""

from __future__ import annotations

from wizard.present.answer import Answer


def plain_summary(answer: Answer) -> str:
    lines = [answer.title_line, answer.host_line]
    lines += [x for x in (answer.vm_line, answer.demo_line) if x]
    lines += list(answer.reported)
    lines += ["", answer.verdict, ""]
    for cause in answer.causes:
        f = cause.cause
        lines.append(f"{f.symbol} {f.status_label}: {f.title} ({f.component_label})")
        lines.append("   " + f.summary)
        for i, step in enumerate(f.steps, 1):
            lines.append(f"   {i}. {step.text}")
            if step.command:
                lines.extend("      " + c for c in step.command.splitlines())
        if cause.follows:
            lines.append("   " + cause.follows)
        lines.append("")
    lines.append(answer.summary_line)
    return "\n".join(lines) + "\n"
