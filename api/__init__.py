"""The REST API (DESIGN 10), a face: `/api/v1/`.

Decisions recorded here:

- Credentials live in this app (`PersonalToken`, `IntegrationKey`): nothing below the
  faces reads them, and the browser pages never see them (their only authentication is
  the session), so they are the API's own concern.
- A personal token acts as its user, scoped exactly as in the browser
  (`Account.objects.visible_to(user)`); an inactive user's tokens stop working.
- An integration key is an organisation-wide integration (a CRM or warehouse sync):
  it reads every account, like an admin, within the scopes it was given (`read`,
  `write`). It belongs to no user, so it cannot manage personal tokens.
- Secrets are shown once (the response that creates them) and stored as the SHA-256
  of the whole token; the short random prefix in the token finds the row.
- Session authentication is accepted too, so the docs at `/api/v1/docs/` can try calls
  as the signed-in user (the same scope as the pages; DRF enforces CSRF on writes).
- Anything outside the caller's scope answers 404, never 403, as the pages do.
"""
