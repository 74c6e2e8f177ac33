"""Signing in and out, sessions, changing a password or email, and the emailed password links.

`rules` says when a session holds, `operations` starts and ends sessions and changes
a password, `routes` has the pages. People, invitations and password hashing are
`lms.people`; this package is the sign-in side of them.
"""
