"""requests-oauthlib (LegacyApplicationClient) against a running Gatehouse: password grant,
refresh, then the rotated refresh token once more. Driven by test/clients/python-clients.test.ts.

Reads {"token_url", "client_id", "client_secret", "auth", "username", "password"} as JSON on stdin
(the password stays out of argv) and prints {"first", "second", "reuse", "statuses"} as JSON.
`auth` is client_secret_basic, client_secret_post or none. Anything unexpected raises, so the
process exits non-zero with the traceback on stderr.
"""

import json
import sys

from oauthlib.oauth2 import LegacyApplicationClient, OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

args = json.load(sys.stdin)
url = args["token_url"]
client_id = args["client_id"]
secret = args["client_secret"]
auth = args["auth"]

session = OAuth2Session(client=LegacyApplicationClient(client_id=client_id))
# oauthlib raises from the error body and reports its error class's status, not the real one.
statuses = []
session.hooks["response"].append(lambda response, *_, **__: statuses.append(response.status_code))

credentials = {"username": args["username"], "password": args["password"]}
if auth == "client_secret_basic":
    # The library's default: client_id and client_secret become HTTP Basic credentials.
    first = session.fetch_token(url, client_secret=secret, **credentials)
    refresh_kwargs = {"auth": HTTPBasicAuth(client_id, secret)}
elif auth == "client_secret_post":
    first = session.fetch_token(url, include_client_id=True, client_secret=secret, **credentials)
    refresh_kwargs = {"client_id": client_id, "client_secret": secret}
elif auth == "none":
    first = session.fetch_token(url, include_client_id=True, **credentials)
    refresh_kwargs = {"client_id": client_id}
else:
    raise ValueError(f"unknown auth {auth}")
first = dict(first)

second = dict(session.refresh_token(url, refresh_token=first["refresh_token"], **refresh_kwargs))

try:
    reused = session.refresh_token(url, refresh_token=first["refresh_token"], **refresh_kwargs)
    reuse = {"unexpected_token": dict(reused)}
except OAuth2Error as error:
    reuse = {"error": error.error}

json.dump({"first": first, "second": second, "reuse": reuse, "statuses": statuses}, sys.stdout)
