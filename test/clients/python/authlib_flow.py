"""authlib (requests integration) against a running Gatehouse: password grant, refresh, then the
rotated refresh token once more. Driven by test/clients/python-clients.test.ts.

Reads {"token_url", "client_id", "client_secret", "auth", "username", "password"} as JSON on stdin
(the password stays out of argv) and prints {"first", "second", "reuse", "statuses"} as JSON.
`auth` is client_secret_basic, client_secret_post or none, authlib's own names. Anything
unexpected raises, so the process exits non-zero with the traceback on stderr.
"""

import json
import sys

from authlib.integrations.requests_client import OAuth2Session, OAuthError

args = json.load(sys.stdin)
url = args["token_url"]

session = OAuth2Session(
    client_id=args["client_id"],
    client_secret=args["client_secret"],
    token_endpoint_auth_method=args["auth"],
)
statuses = []
session.hooks["response"].append(lambda response, *_, **__: statuses.append(response.status_code))

first = dict(session.fetch_token(url, grant_type="password", username=args["username"], password=args["password"]))
second = dict(session.refresh_token(url, refresh_token=first["refresh_token"]))

try:
    reused = session.refresh_token(url, refresh_token=first["refresh_token"])
    reuse = {"unexpected_token": dict(reused)}
except OAuthError as error:
    reuse = {"error": error.error}

json.dump({"first": first, "second": second, "reuse": reuse, "statuses": statuses}, sys.stdout)
