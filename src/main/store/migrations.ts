/**
 * Versioned schema. Each entry moves the database from user_version = index to index + 1; entries are
 * never edited once released, only appended.
 */
export const MAX_ATTRIBUTES = 64

const attributeColumns = Array.from({ length: MAX_ATTRIBUTES }, (_, i) => `a${i} INTEGER`).join(
  ', ',
)

export const migrations: readonly string[] = [
  `
  CREATE TABLE dataset (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    root TEXT NOT NULL,
    image_dir TEXT NOT NULL,
    layout TEXT NOT NULL,
    crop TEXT NOT NULL,
    ingested_at TEXT
  );
  CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,
    split INTEGER,
    identity INTEGER,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    status TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'bad'))
  );
  CREATE INDEX images_split ON images (split) WHERE status = 'ok';
  CREATE TABLE attribute_names (
    idx INTEGER PRIMARY KEY CHECK (idx >= 0 AND idx < ${MAX_ATTRIBUTES}),
    name TEXT NOT NULL UNIQUE
  );
  -- One wide row per image: attribute filters over 200k images are then a single table scan.
  CREATE TABLE image_attributes (
    image_id INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
    ${attributeColumns}
  );
  CREATE TABLE problems (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    line INTEGER,
    reason TEXT NOT NULL,
    stage TEXT NOT NULL
  );
  CREATE TABLE caches (
    id INTEGER PRIMARY KEY,
    size INTEGER NOT NULL,
    crop TEXT NOT NULL,
    file TEXT NOT NULL,
    UNIQUE (size, crop)
  );
  -- A slot is valid only once its row exists; rows are written after the pixels are on disk.
  CREATE TABLE cache_slots (
    cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
    image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    PRIMARY KEY (cache_id, image_id)
  ) WITHOUT ROWID;
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    preset TEXT NOT NULL,
    config TEXT NOT NULL,
    seed INTEGER NOT NULL,
    target_steps INTEGER NOT NULL,
    steps_done INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('created', 'running', 'paused', 'stopped', 'finished', 'failed')),
    backend TEXT,
    backend_notes TEXT,
    dataset_snapshot TEXT NOT NULL,
    dir TEXT NOT NULL,
    val_loss REAL,
    test_mse REAL,
    test_psnr REAL,
    images_per_second REAL,
    seconds_training REAL NOT NULL DEFAULT 0,
    error TEXT
  );
  CREATE TABLE run_metrics (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    total REAL NOT NULL,
    recon REAL NOT NULL,
    kl REAL NOT NULL,
    images_per_second REAL,
    PRIMARY KEY (run_id, step)
  ) WITHOUT ROWID;
  CREATE TABLE run_epochs (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    val_loss REAL,
    PRIMARY KEY (run_id, epoch)
  ) WITHOUT ROWID;
  CREATE TABLE latents (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    mu BLOB NOT NULL,
    logvar BLOB NOT NULL,
    PRIMARY KEY (run_id, image_id)
  ) WITHOUT ROWID;
  `,
  `
  -- Results of slow analyses (attribute vectors, 2-D maps), per run; a row is valid only while its
  -- fingerprint (the run's latent count and last update) still matches.
  CREATE TABLE analysis_cache (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (run_id, kind, key)
  ) WITHOUT ROWID;
  CREATE TABLE timelines (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  `
  -- The process that owns a running or paused run, so a run left behind by a killed process can be
  -- told from one that another live process is training.
  ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
  `,
  `
  -- A user's own attributes, per run: named groups of faces (positives, and negatives or "the rest")
  -- with the direction and held-out AUC fitted from them.
  CREATE TABLE custom_attributes (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    versus TEXT NOT NULL CHECK (versus IN ('rest', 'selection')),
    vector BLOB,
    auc REAL,
    positives INTEGER NOT NULL DEFAULT 0,
    negatives INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (run_id, name)
  );
  CREATE TABLE custom_attribute_faces (
    attribute_id INTEGER NOT NULL REFERENCES custom_attributes (id) ON DELETE CASCADE,
    image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    label INTEGER NOT NULL CHECK (label IN (1, -1)),
    PRIMARY KEY (attribute_id, image_id)
  ) WITHOUT ROWID;
  `,
  `
  -- The GPU adapter a run trains on (webgpu), as JSON: name, vendor, whether it is software.
  ALTER TABLE runs ADD COLUMN backend_adapter TEXT;
  `,
  `
  -- The checkpoint step each latent was encoded with. A latent counts only while its step equals its
  -- run's steps_done (the step of the run's checkpoint); a run trained further leaves them stale.
  -- Latents encoded before this column existed stay NULL, i.e. stale: which checkpoint made them
  -- cannot be known (the old encode never re-encoded after more training), and re-encoding is cheap.
  ALTER TABLE latents ADD COLUMN step INTEGER;
  `,
  `
  -- A finished run's quality on its test split (PSNR, SSIM, KL, active latent units, sharpness of
  -- prior samples), as one JSON object: the figures may grow without another migration.
  ALTER TABLE runs ADD COLUMN quality TEXT;
  `,
]
