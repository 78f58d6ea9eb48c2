"""testclient.py -- a small client of the test API server for Python tests.

    c = Client.from_env()                      # APISERVER_URL, APISERVER_CA, APISERVER_TOKEN
    code, body = c.req("GET", "/api/v1/namespaces/default/configmaps/x")
    code, body = c.req("PATCH", path, {"spec": ...}, ctype="application/merge-patch+json")
    for event in c.watch(path + "?watch=1&resourceVersion=5"): ...
    c.admin("POST", "/admin/faults", {"type": "error", "code": 503, "count": 2})

One keep-alive HTTPS connection per Client (reconnects after an error); bodies are
JSON (dicts) or raw bytes/str; responses are decoded JSON when they are JSON.
"""
import http.client
import json
import os
import ssl
import urllib.parse


class Client:
    def __init__(self, url, ca, token=None, admin_token=None, timeout=30):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.ctx = ssl.create_default_context(cafile=ca)
        self.token, self.admin_token, self.timeout = token, admin_token, timeout
        self.conn = None

    @classmethod
    def from_env(cls, token=None):
        return cls(os.environ["APISERVER_URL"], os.environ["APISERVER_CA"],
                   token if token is not None else os.environ.get("APISERVER_TOKEN"),
                   os.environ.get("APISERVER_ADMIN_TOKEN"))

    def connect(self):
        return http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                           timeout=self.timeout)

    def req(self, method, path, body=None, ctype="application/json", headers=None,
            token=None):
        """(status code, decoded body); raises OSError/http.client errors on faults."""
        h = {"Accept": "application/json", "User-Agent": "feast-testclient/1"}
        tok = self.token if token is None else token
        if tok:
            h["Authorization"] = "Bearer " + tok
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            if isinstance(data, str):
                data = data.encode()
            h["Content-Type"] = ctype
        h.update(headers or {})
        if self.conn is None:
            self.conn = self.connect()
        try:
            self.conn.request(method, path, body=data, headers=h)
            resp = self.conn.getresponse()
            raw = resp.read()
        except Exception:
            self.conn.close()
            self.conn = None
            raise
        self.last_headers = resp.headers
        ct = resp.headers.get("Content-Type", "")
        return resp.status, json.loads(raw) if raw and "json" in ct else raw

    def admin(self, method, path, body=None):
        code, out = self.req(method, path, body, token=self.admin_token)
        if code >= 300:
            raise RuntimeError("admin %s %s: %s %s" % (method, path, code, out))
        return out

    def watch(self, path, token=None):
        """Yield watch events (dicts) until the server ends the stream."""
        conn = self.connect()
        h = {"Accept": "application/json",
             "Authorization": "Bearer " + (token or self.token)}
        conn.request("GET", path, headers=h)
        resp = conn.getresponse()
        if resp.status != 200:
            raise RuntimeError("watch %s: %s %s" % (path, resp.status, resp.read()))
        try:
            while True:
                line = resp.readline()
                if not line:
                    return
                yield json.loads(line)
        finally:
            conn.close()
