"""test_auth.py -- authentication and impersonation of the test API server (run by
tests/scripts/apiserver_protocol.sh): basic auth, Impersonate-User/-Group/-Uid with
kube-apiserver's 403 bodies, the effective user in the request log. Exits non-zero on
the first failed check."""
import base64
import os

from checks import check, status
from testclient import Client

c = Client.from_env()
FORBIDDEN = os.environ["APISERVER_FORBIDDEN_TOKEN"]
CM = "/api/v1/namespaces/default/configmaps"


def basic(user, password):
    pair = ("%s:%s" % (user, password)).encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


UNAUTHORIZED = status(401, "Unauthorized", "Unauthorized")
anon = Client(os.environ["APISERVER_URL"], os.environ["APISERVER_CA"], token="")

# ---- basic auth ----
user, password = os.environ["APISERVER_BASIC_USER"], os.environ["APISERVER_BASIC_PASSWORD"]
code, body = anon.req("GET", CM, headers=basic(user, password))
check(code == 200 and body["kind"] == "ConfigMapList", "basic auth", body)
code, body = anon.req("GET", CM, headers=basic(user, password + "x"))
check(code == 401 and body == UNAUTHORIZED, "basic auth, wrong password", body)
code, body = anon.req("GET", CM, headers=basic("nobody", password))
check(code == 401 and body == UNAUTHORIZED, "basic auth, unknown user", body)
code, body = anon.req("GET", CM, headers={"Authorization": "Basic !!!"})
check(code == 401 and body == UNAUTHORIZED, "basic auth, not base64", body)

# ---- impersonation ----
c.admin("DELETE", "/admin/requests")
code, body = c.req("GET", CM, headers={"Impersonate-User": "someone"})
check(code == 200, "test-user impersonates someone", body)
log = c.admin("GET", "/admin/requests?user=someone")["requests"]
check(len(log) == 1 and log[0]["impersonator"] == "test-user",
      "the request log has the effective user and the impersonator", log)

code, body = c.req("GET", CM + "/x", headers={"Impersonate-User": "forbidden-user"})
check(code == 403 and body == status(
    403, "Forbidden", 'configmaps "x" is forbidden: User "forbidden-user" cannot get resource '
    '"configmaps" in API group "" in the namespace "default"',
    {"name": "x", "kind": "configmaps"}), "impersonated forbidden-user gets its 403", body)
code, body = c.req("GET", "/api/v1", headers={"Impersonate-User": "forbidden-user"})
check(code == 200, "discovery as an impersonated forbidden-user", body)

NOPE = 'users "test-user" is forbidden: User "forbidden-user" cannot impersonate resource ' \
    '"users" in API group "" at the cluster scope'
code, body = c.req("GET", CM, token=FORBIDDEN, headers={"Impersonate-User": "test-user"})
check(code == 403 and body == status(403, "Forbidden", NOPE,
                                     {"name": "test-user", "kind": "users"}),
      "forbidden-user may not impersonate", body)
code, body = c.req("GET", "/api/v1", token=FORBIDDEN, headers={"Impersonate-User": "test-user"})
check(code == 403, "the impersonation check comes before discovery", body)
code, body = anon.req("GET", CM, headers=dict(basic(user, password),
                                              **{"Impersonate-User": "forbidden-user"}))
check(code == 403 and "cannot list resource" in body["message"],
      "a basic-auth user impersonates", body)

# Groups and a uid go with a user; alone they are a server error, as in kube-apiserver.
conn = c.connect()  # repeated headers: http.client's request() takes a dict
conn.putrequest("GET", CM)
for k, v in [("Authorization", "Bearer " + c.token), ("Impersonate-User", "u"),
             ("Impersonate-Group", "a"), ("Impersonate-Group", "b"), ("Impersonate-Uid", "1")]:
    conn.putheader(k, v)
conn.endheaders()
resp = conn.getresponse()
check(resp.status == 200, "user, two groups and a uid", resp.read().decode())
conn.close()
code, body = c.req("GET", CM, headers={"Impersonate-Group": "system:masters"})
check(code == 500 and body["reason"] == "InternalError", "a group without a user", body)
code, body = c.req("GET", CM, headers={"Impersonate-User": "x"}, token="nope")
check(code == 401 and body == UNAUTHORIZED, "authentication comes first", body)
print("test_auth.py: ok")
