"""A stand-in for CBS StatLine's OData v3 feed on 127.0.0.1, serving fixture files, so that the
real `cbsodata` client code runs in tests without network.

    /ODataFeed/odata/<tabel>/                 -> the list of the table's resources (from the fixtures)
    /ODataFeed/odata/<tabel>/<Resource>       -> {"value": [...]} from tests/fixtures/cbs/<tabel>/<Resource>.json

A table folder may instead hold a metadata dump as CSV files (tests/fixtures/cbs/83262NED: the real
dump that timemod/cbsots cached, one <Resource>.csv per resource and data.csv with the data): those
are served as they are, every cell as text and an empty cell as null; data.csv is the UntypedDataSet,
its empty cells (a missing value in the dump's typed download) served as CBS's '.' (unknown).

UntypedDataSet / TypedDataSet are served in pages of PAGE rows with `odata.nextLink`, as the bulk
feed does, so the client's paging is exercised too. Every request path is recorded.
"""
from __future__ import annotations

import csv
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
PAGE = 3
DATA_CSV = "data"  # the data of a CSV dump: served as UntypedDataSet


def _resources(folder: Path) -> list[str]:
    names = {p.stem for p in folder.glob("*.json")}
    names |= {"UntypedDataSet" if p.stem == DATA_CSV else p.stem for p in folder.glob("*.csv")}
    return sorted(names)


def _rows(folder: Path, name: str) -> list[dict] | None:
    """A resource's rows from <name>.json, or from the CSV dump (<name>.csv; data.csv for UntypedDataSet)."""
    path = folder / f"{name}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    path = folder / f"{DATA_CSV if name == 'UntypedDataSet' else name}.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    empty = "." if path.stem == DATA_CSV else None
    return [{k: (v if v != "" else empty) for k, v in row.items()} for row in rows]


def _apply_filter(rows: list[dict], expr: str) -> list[dict]:
    """The subset of OData the client sends here: startswith(Dim,'GM0505') or ... on padded keys."""
    terms = re.findall(r"startswith\((\w+),'([^']*)'\)", expr)
    if not terms:
        return rows
    return [r for r in rows if any(str(r.get(dim, "")).startswith(prefix) for dim, prefix in terms)]


class CbsFixtureServer:
    def __init__(self, fixtures: Path = FIXTURES):
        self.fixtures = fixtures
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):  # the name is http.server's API
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                segments = [s for s in parts.path.split("/") if s]
                query = parse_qs(parts.query)
                if len(segments) < 3 or segments[:2] != ["ODataFeed", "odata"]:
                    return self._send(404, {"error": "not found"})
                table = segments[2]
                folder = server.fixtures / table
                if not folder.is_dir():
                    return self._send(404, {"odata.error": {"message": {"value": f"table {table} not found"}}})
                if len(segments) == 3:
                    names = _resources(folder) + ["TypedDataSet"]
                    base = f"http://{self.headers['Host']}/ODataFeed/odata/{table}/"
                    return self._send(200, {"value": [{"name": n, "url": base + n} for n in names]})
                name = segments[3]
                rows = _rows(folder, name)  # no TypedDataSet fixture: asking for it is a client error
                if rows is None:
                    return self._send(404, {"error": f"{name} not found"})
                if name.endswith("DataSet"):
                    rows = _apply_filter(rows, query.get("$filter", [""])[0])
                    skip = int(query.get("$skip", ["0"])[0])
                    page = {"value": rows[skip: skip + PAGE]}
                    if skip + PAGE < len(rows):  # the next link keeps the query, as OData does
                        keep = {"$format": "json", "$skip": str(skip + PAGE)}
                        if query.get("$filter"):
                            keep["$filter"] = query["$filter"][0]
                        page["odata.nextLink"] = f"http://{self.headers['Host']}/ODataFeed/odata/{table}/{name}?{urlencode(keep)}"
                    return self._send(200, page)
                return self._send(200, {"value": rows})

            def _send(self, status: int, body: dict):
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def catalog(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{host}:{port}"

    def __enter__(self) -> CbsFixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
