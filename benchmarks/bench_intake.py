"""Intake speed: reading and parsing a big mail folder, and hostile message bodies.

    python benchmarks/bench_intake.py [--messages 2000]

1. A Maildir of N return notices (the test corpus's formats, each with its own Message-ID): list it,
   fetch every message, read it and apply the rules, as `sheetreturns intake` does before writing.
   Baseline, same run: the standard library's email API only parsing each message and finding its
   body; floor: its older compat32 API (which intake uses) only parsing and decoding every part.
2. Message bodies built to make regular expressions backtrack (200,000 characters each): the rules
   must stay linear, so each must parse in well under a second.
"""
from __future__ import annotations

import argparse
import mailbox
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import compare  # noqa: E402

TARGET_PER_SECOND = 200  # notices read and parsed per second, at least
TARGET_PEAK_MB = 250
HOSTILE_LIMIT_SECONDS = 1.0


def build_maildir(folder: Path, count: int) -> Path:
    from tests.intake_corpus import FORMATS, good_notice

    box = mailbox.Maildir(str(folder), create=True)
    for n in range(count):
        mail = good_notice(n % 40 + 1, FORMATS[n % len(FORMATS)], message_id=f"<bench-{n}@example.com>")
        box.add(mail.raw)
    box.close()
    return folder


PIPELINE = """
from pathlib import Path
from sheetreturns.intake.extract import extract
from sheetreturns.intake.folders import MaildirSource
from sheetreturns.intake.message import message_key, read_message
from sheetreturns.intake.rules import BUILT_IN_RULES
rules = list(BUILT_IN_RULES)
source = MaildirSource(Path({folder!r}))
"""
PIPELINE_BODY = """
items = source.list()
keys = {item.ref: message_key(item.headers) for item in items}
lines = 0
for ref, raw in source.fetch(list(keys)):
    found = extract(read_message(raw, keys[ref]), rules)
    lines += len(found.lines)
assert lines >= len(items)
"""
BASELINE = """
import email, email.policy
from pathlib import Path
from sheetreturns.intake.folders import MaildirSource
source = MaildirSource(Path({folder!r}))
"""
BASELINE_BODY = """
items = source.list()
for ref, raw in source.fetch([i.ref for i in items]):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(("plain", "html"))
    if body is not None:
        body.get_content()
"""
FLOOR_BODY = """
items = source.list()
for ref, raw in source.fetch([i.ref for i in items]):
    for part in email.message_from_bytes(raw, policy=email.policy.compat32).walk():
        part.get_payload(decode=True)
"""

SIZE = 200_000
HOSTILE = {
    "order words": "order " * (SIZE // 6),
    "order and digits": "Order #" + "1-" * (SIZE // 2),
    "label, long blank tail": "Reason:" + " " * SIZE + "x",
    "customer lines": "Customer: " + "a " * (SIZE // 2),
    "quoted lines": "> " * (SIZE // 2),
    "dashes (forward mark)": "-" * SIZE + "\nFrom: x@y.z",
    "pipe table": ("SKU | Qty\n" + "A-1 | 1\n" * (SIZE // 8)),
    "sku words": "SKU " * (SIZE // 4),
    "html nesting": "<div>" * 20_000 + "Order ID: 1" + "</div>" * 20_000,
}


def hostile_timings() -> dict[str, tuple[float, str]]:
    from email.message import EmailMessage

    from sheetreturns.intake.extract import extract
    from sheetreturns.intake.message import Unreadable, read_message
    from sheetreturns.intake.rules import BUILT_IN_RULES

    timings = {}
    for name, body in HOSTILE.items():
        msg = EmailMessage()
        msg["From"] = "x@example.com"
        msg["Subject"] = "Return"
        msg["Message-ID"] = "<h@example.com>"
        msg.set_content(body, subtype="html" if name.startswith("html") else "plain")
        raw = bytes(msg)
        start = time.perf_counter()
        try:
            outcome = type(extract(read_message(raw), list(BUILT_IN_RULES))).__name__
        except Unreadable as exc:  # a fine answer for a hostile message: it is skipped with this reason
            outcome = f"skipped: {exc}"
        timings[name] = (time.perf_counter() - start, outcome)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_maildir(Path(tmp) / "Maildir", args.messages)
        results = compare({
            "stdlib parse only (baseline)": (BASELINE.format(folder=str(folder)), BASELINE_BODY),
            "stdlib compat32 parse (floor)": (BASELINE.format(folder=str(folder)), FLOOR_BODY),
            "intake read + rules": (PIPELINE.format(folder=str(folder)), PIPELINE_BODY),
        }, repeat=args.repeat)
    print(f"{args.messages} notices in a Maildir (best of {args.repeat}, fresh processes)")
    for name, got in results.items():
        rate = args.messages / got["seconds"]
        print(f"  {name:30} {got['seconds']:7.2f} s  {rate:8.0f} msg/s  peak {got['peak_mb']:6.1f} MB")
    ours = results["intake read + rules"]
    rate = args.messages / ours["seconds"]
    base = results["stdlib parse only (baseline)"]
    print(f"  intake costs {ours['seconds'] / base['seconds']:.1f}x the bare parse; "
          f"target >= {TARGET_PER_SECOND} msg/s and peak <= {TARGET_PEAK_MB} MB: "
          f"{'met' if rate >= TARGET_PER_SECOND and ours['peak_mb'] <= TARGET_PEAK_MB else 'MISSED'}")
    ok &= rate >= TARGET_PER_SECOND and ours["peak_mb"] <= TARGET_PEAK_MB

    print(f"\nHostile bodies of {SIZE:,} characters (limit {HOSTILE_LIMIT_SECONDS:.1f} s each)")
    for name, (seconds, outcome) in hostile_timings().items():
        verdict = "ok" if seconds < HOSTILE_LIMIT_SECONDS else "TOO SLOW"
        ok &= seconds < HOSTILE_LIMIT_SECONDS
        print(f"  {name:28} {seconds * 1000:8.1f} ms  {verdict:8}  {outcome}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
