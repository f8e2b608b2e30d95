-- The ledger's pipelined write path sends one statement per batch, planned from balances the writer keeps in
-- memory, with no SELECT ... FOR UPDATE first. Its account UPDATE checks entry_seq, and the primary key of
-- ledger_transfers catches an id that already posted. What neither catches is an id that was *rejected*
-- (ledger_rejections) by another writer while this statement waited for its row locks: in READ COMMITTED one
-- statement reads one snapshot, taken before the wait. A VOLATILE function takes a fresh snapshot for each of its
-- queries, so this check, called at the end of the statement (after every lock is held), sees such a rejection
-- and aborts the statement; the writer then replays the batch through the locking path, which returns it.
CREATE OR REPLACE FUNCTION ledger_ids_not_rejected(ids text[]) RETURNS int
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF ids IS NOT NULL AND EXISTS (SELECT 1 FROM ledger_rejections WHERE id IN (SELECT unnest(ids))) THEN
    RAISE EXCEPTION 'ledger: an id of this batch was rejected by another writer' USING ERRCODE = '40001';
  END IF;
  RETURN 0;
END
$$;
