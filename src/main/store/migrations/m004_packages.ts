/**
 * m004_packages: the wheels a notebook carries (src/main/packages/README.md). Shipped: never edit this
 * file; add m005_… instead (see README.md).
 */
export const m004_packages = `
CREATE TABLE packages (
  name TEXT PRIMARY KEY NOT NULL,
  display_name TEXT NOT NULL,
  version TEXT NOT NULL,
  filename TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  requested_by TEXT NOT NULL,
  installed_at INTEGER NOT NULL,
  wheel BLOB NOT NULL
);
`
