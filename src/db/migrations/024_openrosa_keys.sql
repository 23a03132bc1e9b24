-- OpenRosa sign-in that phones can use over plain HTTP (docs/field-sync.md, docs/security.md).
--
-- An OpenRosa key, as ODK Central's app users have: the phone's server URL is
-- <base>/openrosa/key/<key>, so it needs no password. Only the SHA-256 of the key is kept; the
-- key is shown once, and a revoked key is refused at once. A key reaches only /openrosa, never
-- the API.
CREATE TABLE openrosa_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id),
  label text NOT NULL,
  key_sha256 text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid NOT NULL REFERENCES users(id),
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users(id),
  CONSTRAINT openrosa_keys_label_check CHECK (length(label) BETWEEN 1 AND 100),
  CONSTRAINT openrosa_keys_sha256_check CHECK (key_sha256 ~ '^[0-9a-f]{64}$')
);
CREATE INDEX openrosa_keys_user_idx ON openrosa_keys (user_id);

-- HTTP Digest (SAFEGROUND_OPENROSA_DIGEST=true): MD5(email:realm:password) of a user, kept when
-- their password is set or checked while the setting is on. It is password-equivalent for the
-- realm: whoever reads it can sign in over Digest as that user.
CREATE TABLE openrosa_digest (
  user_id uuid PRIMARY KEY REFERENCES users(id),
  username text NOT NULL,
  realm text NOT NULL,
  ha1 text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT openrosa_digest_ha1_check CHECK (ha1 ~ '^[0-9a-f]{32}$')
);
