"""People and their accounts: create employees and HR users, invite them, their passwords.

`operations` creates people and ends sessions or email changes, `invitations` issues
the one-time links (invitation, password reset), `passwords` hashes and judges
passwords. No views: the sign-in pages that use these are `lms.auth`; the CSV import
(`lms.imports`), the API and the CLI create people through `operations`.
"""
