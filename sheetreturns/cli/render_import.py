"""The text `sheetreturns import` prints."""
from __future__ import annotations

from ..engine.columns import BY_KEY


def import_report(result) -> str:
    out = []
    name_width = max([len("File"), *(len(f.name) for f in result.files)])
    out.append(f"{'File':<{name_width}}  {'Layout':<34}  Added  Updated  Already there  Left out  Not understood")
    out.append(f"{'-' * name_width}  {'-' * 34}  -----  -------  -------------  --------  --------------")
    for f in result.files:
        out.append(f"{f.name:<{name_width}}  {f.layout:<34}  {f.added:>5}  {f.updated:>7}  {f.already:>13}  "
                   f"{f.left_out:>8}  {len(f.not_understood):>14}")
    for f in result.files:
        if f.not_understood:
            out.append("")
            out.append(f"Not understood in {f.name} ({len(f.not_understood)})")
            for line, reason in f.not_understood[:20]:
                out.append(f"  line {line}: {reason}")
            if len(f.not_understood) > 20:
                out.append(f"  ... and {len(f.not_understood) - 20} more (see the Import Log tab)")
    for note in result.notes:
        out.append(f"Note: {note}")
    for failure in result.failures:
        out.append(f"Failed: {failure}")
    out.append("")
    added = ", ".join(BY_KEY[k].header for k in result.columns_added)
    summary = f"{result.rows_added} row{'s' if result.rows_added != 1 else ''} added, {result.rows_updated} updated"
    if added:
        summary += f"; columns added: {added}"
    if result.dry_run:
        summary += " · dry run: nothing changed"
    elif result.written:
        summary += f" · saved {result.source.rsplit('/', 1)[-1]}"
    else:
        summary += " · nothing new: not saved"
    out.append(summary)
    return "\n".join(out)
