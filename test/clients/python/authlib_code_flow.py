"""authlib (requests integration) completing the authorization code + PKCE flow against a running
Gatehouse. Driven by test/clients/authorization-code-clients.test.ts.

Reads {"authorize_url", "token_url", "redirect_uri", "client_id", "client_secret", "auth",
"username", "password"} as JSON on stdin and prints {"token", "refreshed"} as JSON. authlib
builds the authorization URL (with its own PKCE pair and state) and redeems the code; the user's
part in between, the sign-in form, is posted with requests as a browser without JavaScript would.
Anything unexpected raises, so the process exits non-zero with the traceback on stderr.
"""

import json
import re
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

args = json.load(sys.stdin)

session = OAuth2Session(
    client_id=args["client_id"],
    client_secret=args["client_secret"],
    token_endpoint_auth_method=args["auth"],
    redirect_uri=args["redirect_uri"],
    code_challenge_method="S256",
    scope="orders:read",
)
verifier = generate_token(48)
uri, state = session.create_authorization_url(args["authorize_url"], code_verifier=verifier)

browser = requests.Session()
page = browser.get(uri, allow_redirects=False)
assert page.status_code == 200, (page.status_code, page.text)
form_token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
action = args["authorize_url"]
answer = browser.post(
    action,
    data={"form_token": form_token, "username": args["username"], "password": args["password"]},
    allow_redirects=False,
)
assert answer.status_code == 303, (answer.status_code, answer.text)
callback = answer.headers["Location"]

token = dict(session.fetch_token(args["token_url"], authorization_response=callback, state=state, code_verifier=verifier))
refreshed = dict(session.refresh_token(args["token_url"], refresh_token=token["refresh_token"]))
json.dump({"token": token, "refreshed": refreshed, "callback": callback}, sys.stdout)
