"""Who may sign in and do what: web users, device accounts (app users), sessions, grants, projects.

users          people who sign in with email and password; the password check
sessions       bearer tokens from POST /v1/sessions
app_users      device accounts: a token in the URL, villages they cover
grants         roles (limited to places) and the access they give in a project
sign_in_limits wrong passwords counted per account and address
digest_nonces  each Digest (nonce, nc) used once
projects       the unit forms, accounts and submissions belong to
"""
