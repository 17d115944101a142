-- The notifications log (`klabot notifications`) finds a notification's delivery by its id.
CREATE INDEX outbound_deliveries_notification ON outbound_deliveries (notification_id) WHERE notification_id IS NOT NULL;
