-- Finds a chat's earlier updates not handled yet, so replicas behind one webhook handle a
-- chat's messages in update_id order.
CREATE INDEX telegram_updates_chat_unhandled ON telegram_updates (bot_id, chat_id, update_id) WHERE handled_at IS NULL;
