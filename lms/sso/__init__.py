"""Single sign-on through the organisation's OpenID Connect provider (DESIGN "Signing in").

rules.py decides (which claim, which column, why a refusal and what it says);
operations.py finds the person and audits the answer; client.py holds the Authlib
client and the checks on the provider's answer; routes.py the two URLs. Nothing here
but client.py and routes.py imports Flask.
"""
