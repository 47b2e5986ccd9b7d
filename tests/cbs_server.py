"""A stand-in for CBS StatLine's OData v3 feed on 127.0.0.1, serving fixture files, so that the
real `cbsodata` client code runs in tests without network.

    /ODataFeed/odata/<tabel>/                 -> the list of the table's resources (from the fixtures)
    /ODataFeed/odata/<tabel>/<Resource>       -> {"value": [...]} from tests/fixtures/cbs/<tabel>/<Resource>.json

UntypedDataSet / TypedDataSet are served in pages of PAGE rows with `odata.nextLink`, as the bulk
feed does, so the client's paging is exercised too. Every request path is recorded.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
PAGE = 3


class CbsFixtureServer:
    def __init__(self, fixtures: Path = FIXTURES):
        self.fixtures = fixtures
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):  # noqa: N802 - the http.server API
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
                    names = sorted(p.stem for p in folder.glob("*.json"))
                    if "UntypedDataSet" in names and "TypedDataSet" not in names:
                        names.append("TypedDataSet")
                    base = f"http://{self.headers['Host']}/ODataFeed/odata/{table}/"
                    return self._send(200, {"value": [{"name": n, "url": base + n} for n in names]})
                name = segments[3]
                path = folder / f"{'UntypedDataSet' if name == 'TypedDataSet' else name}.json"
                if not path.exists():
                    return self._send(404, {"error": f"{name} not found"})
                rows = json.loads(path.read_text(encoding="utf-8"))
                if name.endswith("DataSet"):
                    skip = int(query.get("$skip", ["0"])[0])
                    page = {"value": rows[skip: skip + PAGE]}
                    if skip + PAGE < len(rows):
                        page["odata.nextLink"] = f"http://{self.headers['Host']}/ODataFeed/odata/{table}/{name}?$format=json&$skip={skip + PAGE}"
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
