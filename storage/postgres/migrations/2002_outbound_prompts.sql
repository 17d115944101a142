-- Binding an answer to the question the person saw (issue 19, item 1). A queued prompt
-- carries the dialogue position it asks about (asks: opaque to the queue, written by the
-- dialogue); its delivery row records when its send started (started_at), so that a
-- message arriving from the chat can be compared with the prompts sent before it.
-- A repeated prompt made obsolete by a later one to the same chat is not sent at all
-- (state superseded).
ALTER TABLE outbound_deliveries
    ADD COLUMN asks       text NOT NULL DEFAULT '',
    ADD COLUMN started_at timestamptz;
ALTER TABLE outbound_deliveries DROP CONSTRAINT outbound_deliveries_state_check;
ALTER TABLE outbound_deliveries ADD CONSTRAINT outbound_deliveries_state_check
    CHECK (state IN ('sent', 'blocked', 'failed', 'superseded'));
-- The last prompt delivered to a chat before a moment: one index probe per step.
CREATE INDEX outbound_deliveries_prompt ON outbound_deliveries (channel, chat_id, started_at)
    WHERE asks <> '';
