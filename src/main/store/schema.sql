-- The schema of a .fuelbook file at SCHEMA_VERSION (PRAGMA user_version = 5), for reading and for
-- `sqlite3 my.fuelbook`. The code applies migrations/m001_initial.ts … m005_run_profiles.ts; a test checks
-- that this file and the migrated schema stay identical. Header: PRAGMA application_id = 0x4675426B ("FuBk").
--
-- Times are milliseconds since the Unix epoch. JSON columns hold the shared types of src/shared/notebook.ts.

-- Applied migrations, oldest first (llm/sqlite-utils style). user_version = count(*).
CREATE TABLE fuelbook_migrations (
  name TEXT PRIMARY KEY NOT NULL,
  applied_at INTEGER NOT NULL
);

-- Exactly one row: the notebook's metadata and settings (NotebookSettings as columns, so they are queryable).
CREATE TABLE notebook (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  title TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  modified_at INTEGER NOT NULL,
  fuel_limit INTEGER NOT NULL,
  memory_limit_bytes INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  output_limit_bytes INTEGER NOT NULL,
  deterministic INTEGER NOT NULL CHECK (deterministic IN (0, 1)),
  -- Next Jupyter-style [n]: the last committed [n] + 1.
  next_execution_count INTEGER NOT NULL DEFAULT 1,
  -- The sandbox file system's quota (Limits.fsBytes); default 256 MiB.
  fs_quota_bytes INTEGER NOT NULL DEFAULT 268435456,
  -- Fuel of every run since the kernel was last restarted ("fuel this session").
  session_fuel INTEGER NOT NULL DEFAULT 0
);

-- Cells in order: position is dense, 0..count-1.
CREATE TABLE cells (
  id TEXT PRIMARY KEY NOT NULL,
  position INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('code', 'markdown', 'raw')),
  source TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}', -- JSON object
  isolated INTEGER NOT NULL DEFAULT 0 CHECK (isolated IN (0, 1))
);
CREATE UNIQUE INDEX cells_by_position ON cells (position);

-- Every run of every cell (stats kept for all). Outputs are kept for the newest 20 runs of each cell;
-- older runs have outputs_state = 'pruned'; "clear outputs" marks them 'cleared'.
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cell_id TEXT NOT NULL REFERENCES cells (id) ON DELETE CASCADE,
  execution_count INTEGER,
  source TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'exit', 'out_of_fuel', 'out_of_memory', 'timeout', 'interrupted', 'crashed')),
  exit_code INTEGER,
  message TEXT,
  isolated INTEGER NOT NULL CHECK (isolated IN (0, 1)),
  fuel_consumed INTEGER NOT NULL,
  fuel_budget INTEGER NOT NULL,
  memory_pages INTEGER NOT NULL,
  memory_bytes INTEGER NOT NULL,
  peak_memory_bytes INTEGER NOT NULL,
  wall_ms REAL NOT NULL,
  outputs_state TEXT NOT NULL DEFAULT 'kept' CHECK (outputs_state IN ('kept', 'pruned', 'cleared')),
  -- The sandbox file system's size at the end of the run; null for runs stored before it was recorded.
  fs_bytes INTEGER,
  -- The run's fuel profile as JSON (FuelProfile, src/shared/fuel-profile.ts, bounded there); null when the
  -- run was not profiled, and set to null with the outputs when they are pruned or cleared.
  profile TEXT
);
CREATE INDEX runs_by_cell ON runs (cell_id, id DESC);

-- A run's outputs in order. body is the Output as JSON; MIME values moved to output_blobs are null there.
CREATE TABLE outputs (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('stream', 'display_data', 'execute_result', 'error', 'truncated')),
  body TEXT NOT NULL
);
CREATE UNIQUE INDEX outputs_by_run ON outputs (run_id, seq);

-- Large binary MIME values (base64 image/png etc. over 4 KiB), decoded: a third smaller, never JSON-parsed.
CREATE TABLE output_blobs (
  output_id INTEGER NOT NULL REFERENCES outputs (id) ON DELETE CASCADE,
  mime TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (output_id, mime)
);

-- Kernel memory pages and file chunks by key (hex sha384 of a page's stored bytes, hex sha256 of a chunk's bytes;
-- src/main/kernel/block-codec.ts), encoded by the kernel.
-- Stored once however many page slots use them; unreferenced pages are deleted when the head moves.
CREATE TABLE kernel_pages (
  hash TEXT PRIMARY KEY NOT NULL,
  data BLOB NOT NULL
);

-- At most one row: the kernel head snapshot (docs/architecture.md, "The kernel"). No row = pristine kernel.
CREATE TABLE kernel_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cell_id TEXT REFERENCES cells (id) ON DELETE SET NULL,
  execution_count INTEGER,
  runtime_hash TEXT NOT NULL,
  format INTEGER NOT NULL,
  page_count INTEGER NOT NULL,
  state BLOB NOT NULL,
  saved_at INTEGER NOT NULL
);

-- The head's page table: only pages that differ from the runtime's pristine snapshot.
CREATE TABLE kernel_head_pages (
  page_index INTEGER PRIMARY KEY,
  hash TEXT NOT NULL REFERENCES kernel_pages (hash)
);
CREATE INDEX kernel_head_pages_by_hash ON kernel_head_pages (hash);

-- The head's file contents (the sandbox file system), in order, as chunks in kernel_pages: a file that did
-- not change is not written again.
CREATE TABLE kernel_head_chunks (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL REFERENCES kernel_pages (hash)
);
CREATE INDEX kernel_head_chunks_by_hash ON kernel_head_chunks (hash);

-- The wheels the notebook carries: one version per distribution, the file exactly as downloaded
-- (a wheel is already a zip: no re-compression), mounted read-only in every run.
CREATE TABLE packages (
  name TEXT PRIMARY KEY NOT NULL,      -- PEP 503 normalised name
  display_name TEXT NOT NULL,          -- as its METADATA spells it
  version TEXT NOT NULL,
  filename TEXT NOT NULL,
  sha256 TEXT NOT NULL,                -- hex, of `wheel`; checked against the index when downloaded
  bytes INTEGER NOT NULL,
  requested_by TEXT NOT NULL,          -- the requirement typed, or "<dist> <version> requires <req>"
  installed_at INTEGER NOT NULL,       -- ms since the epoch
  wheel BLOB NOT NULL
);

-- The bytecode cache of a stored wheel (src/main/packages/bytecode.ts): its modules compiled by the
-- sandbox's own compiler, for one runtime; mounted read-only beside the wheel. Deleted with its wheel.
CREATE TABLE package_bytecode (
  wheel_sha256 TEXT NOT NULL,          -- packages.sha256 of the wheel it was compiled from
  runtime TEXT NOT NULL,               -- sha256 of the runtime (python.wasm and stdlib zip) that compiled it
  sha256 TEXT NOT NULL,                -- hex, of `cache`: checked before it is mounted
  bytes INTEGER NOT NULL,
  modules INTEGER NOT NULL,            -- modules compiled
  skipped INTEGER NOT NULL,            -- modules that do not compile (py2-only files), left out
  made_at INTEGER NOT NULL,            -- ms since the epoch
  cache BLOB NOT NULL,
  PRIMARY KEY (wheel_sha256, runtime)
);
