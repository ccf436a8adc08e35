/**
 * The sandbox's file system gets its own quota (a notebook setting) and each run records the file
 * system's size; the kernel head's file contents move out of the state document into content-hashed
 * chunks (kernel_pages), so a large file is written once, not on every run, and never goes through a
 * string.
 */
export const m002_sandbox_budget = `
ALTER TABLE notebook ADD COLUMN fs_quota_bytes INTEGER NOT NULL DEFAULT 268435456;

ALTER TABLE runs ADD COLUMN fs_bytes INTEGER;

CREATE TABLE kernel_head_chunks (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL REFERENCES kernel_pages (hash)
);
CREATE INDEX kernel_head_chunks_by_hash ON kernel_head_chunks (hash);
`
