/**
 * m006_package_bytecode: the bytecode cache of each stored wheel (src/main/packages/README.md,
 * "Bytecode cache"), made by the sandbox's own compiler for one runtime. Notebooks stored before
 * have none: it is built before the first run that mounts their wheels.
 * Shipped: never edit this file; add m007_… instead (see README.md).
 */
export const m006_package_bytecode = `
CREATE TABLE package_bytecode (
  wheel_sha256 TEXT NOT NULL,
  runtime TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  modules INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  made_at INTEGER NOT NULL,
  cache BLOB NOT NULL,
  PRIMARY KEY (wheel_sha256, runtime)
);
`
