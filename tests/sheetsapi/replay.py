"""Replay a vcrpy cassette of real Google traffic (gspread's tests) against the local server and compare.

Ids Google chose (spreadsheet keys, sheet ids, chart ids) differ from the server's: they are learnt
from each response and mapped both ways; creation and modification times are blanked on both sides.
Usable on its own: python -m tests.sheetsapi.replay CASSETTE.json ... [--url http://127.0.0.1:PORT]
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

ID_KEYS = {"id", "spreadsheetId", "sheetId", "chartId", "objectId", "namedRangeId", "protectedRangeId"}
TIME_KEYS = {"createdTime", "modifiedTime"}


@dataclass
class Mismatch:
    index: int
    request: str
    expected_status: int
    got_status: int
    expected: object
    got: object

    def __str__(self) -> str:
        where, a, b = first_difference(self.expected, self.got)
        return (f"#{self.index} {self.request}: status {self.got_status} (recorded {self.expected_status}); "
                f"at {where or 'top'}:\n  recorded: {json.dumps(a)[:500]}\n  server:   {json.dumps(b)[:500]}")


def first_difference(a: object, b: object, path: str = "") -> tuple[str, object, object]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if a.get(key, "<absent>") != b.get(key, "<absent>"):
                return first_difference(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return path, a, b


@dataclass
class Replay:
    base_url: str
    to_local: dict = field(default_factory=dict)  # recorded id -> server id
    to_recorded: dict = field(default_factory=dict)
    compared: int = 0

    def run(self, cassette: dict) -> list[Mismatch]:
        session = requests.Session()
        session.trust_env = False
        problems = []
        for index, interaction in enumerate(cassette["interactions"]):
            request, response = interaction["request"], interaction["response"]
            split = urlsplit(request["uri"])
            path = self._swap_text(split.path + ("?" + split.query if split.query else ""))
            body = request.get("body")
            if isinstance(body, dict):
                body = body.get("string")
            data = self._swap_body(body) if body else None
            got = session.request(request["method"], self.base_url + path, data=data,
                                  headers={"Content-Type": "application/json"} if data else {})
            expected_text = response["body"].get("string") or ""
            try:
                expected = json.loads(expected_text) if expected_text.strip() else None
            except ValueError:
                expected = expected_text
            try:
                actual = got.json() if got.content else None
            except ValueError:
                actual = got.text
            if isinstance(expected, dict) and isinstance(actual, dict):
                self._learn(expected, actual)
            self.compared += 1
            normal_expected = _blank_times(expected)
            normal_actual = _blank_times(self._to_recorded(actual))
            if got.status_code != response["status"]["code"] or normal_expected != normal_actual:
                problems.append(Mismatch(index, f"{request['method']} {split.path}", response["status"]["code"],
                                         got.status_code, normal_expected, normal_actual))
        return problems

    def _learn(self, expected: object, actual: object) -> None:
        if isinstance(expected, dict) and isinstance(actual, dict):
            for key, value in expected.items():
                if key in ID_KEYS and key in actual and actual[key] != value and not isinstance(value, (dict, list)):
                    self.to_local[value] = actual[key]
                    self.to_recorded[actual[key]] = value
                elif key in actual:
                    self._learn(value, actual[key])
        elif isinstance(expected, list) and isinstance(actual, list):
            for a, b in zip(expected, actual):
                self._learn(a, b)

    def _swap_text(self, text: str) -> str:
        for recorded, local in self.to_local.items():
            if isinstance(recorded, str):
                text = text.replace(recorded, local)
        return text

    def _swap_body(self, body: str) -> bytes:
        try:
            parsed = json.loads(body)
        except ValueError:
            return self._swap_text(body).encode("utf-8")
        return json.dumps(_map_ids(parsed, self.to_local)).encode("utf-8")

    def _to_recorded(self, value: object) -> object:
        mapped = _map_ids(value, self.to_recorded)
        text = json.dumps(mapped)
        for local, recorded in self.to_recorded.items():
            if isinstance(local, str):
                text = text.replace(local, recorded)
        return json.loads(text)


def _map_ids(value: object, mapping: dict) -> object:
    if isinstance(value, dict):
        return {k: (mapping.get(v, v) if k in ID_KEYS and not isinstance(v, (dict, list)) else _map_ids(v, mapping))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_map_ids(v, mapping) for v in value]
    if isinstance(value, str):
        for old, new in mapping.items():
            if isinstance(old, str) and old in value:
                value = value.replace(old, new)
    return value


def _blank_times(value: object) -> object:
    if isinstance(value, dict):
        return {k: ("<time>" if k in TIME_KEYS else _blank_times(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_times(v) for v in value]
    return value


def replay_file(path: Path, base_url: str) -> tuple[int, list[Mismatch]]:
    cassette = json.loads(Path(path).read_text(encoding="utf-8"))
    replay = Replay(base_url)
    problems = replay.run(cassette)
    return replay.compared, problems


def main(argv: list[str]) -> int:
    """Replay each cassette against --url, or against a fresh in-process server per cassette."""
    url = None
    if "--url" in argv:
        at = argv.index("--url")
        url = argv[at + 1]
        del argv[at:at + 2]
    failed = 0
    for name in argv:
        if url is None:
            from tests.sheets_api_server import SheetsServer

            with SheetsServer() as server:
                compared, problems = replay_file(Path(name), server.url)
        else:
            compared, problems = replay_file(Path(name), url)
        print(f"{Path(name).name}: {compared - len(problems)}/{compared} interactions match")
        for problem in problems[:3]:
            print("  " + str(problem).replace("\n", "\n  "))
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
