CREATE TABLE IF NOT EXISTS task_queue (
  query_hash text PRIMARY KEY,
  user_query jsonb NOT NULL,
  status text NOT NULL DEFAULT 'PENDING_ANALYSIS',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE task_queue REPLICA IDENTITY FULL;
